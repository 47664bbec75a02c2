package io.nodemesh.ebpf.internal.seam;

import io.nodemesh.ebpf.bpf.Bpf;

/**
 * The way from a {@link Libbpf} to a {@link Bpf} and back, for the backend's internal code and the tests (which pass a
 * fake), without putting the seam into {@code Bpf}'s exported API. {@code Bpf} registers the bridge from its static
 * initializer; nothing else may.
 */
public final class BpfSeam {
    /** What {@code Bpf} lends this class: its package-private factory and accessor. */
    public interface Bridge {
        Bpf over(Libbpf libbpf);

        Libbpf libbpf(Bpf bpf);
    }

    private static volatile Bridge bridge;

    private BpfSeam() {}

    /** Called once, by {@code Bpf}'s static initializer. */
    public static void register(Bridge b) {
        synchronized (BpfSeam.class) {
            if (bridge != null) throw new IllegalStateException("the Bpf bridge is already registered");
            bridge = b;
        }
    }

    /** A {@link Bpf} over any {@link Libbpf}, e.g. a fake. */
    public static Bpf over(Libbpf libbpf) {
        return bridge().over(libbpf);
    }

    /** The {@link Libbpf} {@code bpf} works through. */
    public static Libbpf libbpf(Bpf bpf) {
        return bridge().libbpf(bpf);
    }

    private static Bridge bridge() {
        Bridge b = bridge;
        if (b != null) return b;
        try {
            Class.forName(Bpf.class.getName(), true, Bpf.class.getClassLoader()); // runs Bpf's static initializer
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return bridge;
    }
}
