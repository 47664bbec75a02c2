package io.nodemesh.ebpf.internal.ffm;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.LibbpfVersion;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import io.nodemesh.netlab.Setns;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Whether the FFM layer can work here, checked without failing: native access granted (to this module and to
 * mesh-netlab, whose {@code Setns} enters network namespaces), libbpf.so.1 present and new enough. Only after
 * {@link #problem()} is empty is {@link LibbpfFunctions} touched.
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
public final class NativeSupport {
    private static volatile NativeLibbpf instance;

    private NativeSupport() {}

    /** What stops the FFM layer from working, or empty when nothing does. */
    public static Optional<String> problem() {
        // This module's downcalls, and mesh-netlab's Setns (network namespaces); one module on the class path.
        List<Module> lacking = Stream.of(NativeSupport.class.getModule(), Setns.class.getModule())
                .distinct()
                .filter(m -> !m.isNativeAccessEnabled())
                .toList();
        if (!lacking.isEmpty()) {
            boolean named = lacking.stream().allMatch(Module::isNamed);
            String flag = "--enable-native-access="
                    + lacking.stream()
                            .map(m -> m.isNamed() ? m.getName() : "ALL-UNNAMED")
                            .distinct()
                            .collect(Collectors.joining(","));
            return Optional.of("native access is not enabled for nodemesh's eBPF backend: start the JVM with " + flag
                    + (named ? " (module path)" : " (class path)"));
        }
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libbpf.so.1", arena);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return Optional.of("libbpf.so.1 not found (apt-get install libbpf1)");
        }
        try {
            LibbpfVersion v = libbpf().version();
            if (!v.atLeast(LibbpfVersion.MINIMUM)) {
                return Optional.of(
                        "libbpf " + v + " is too old; nodemesh needs " + LibbpfVersion.MINIMUM + " or newer");
            }
        } catch (LinkageError | RuntimeException e) {
            return Optional.of("libbpf.so.1 could not be bound: " + e);
        }
        return Optional.empty();
    }

    /** The FFM {@link Libbpf}; throws a {@link BpfException} saying what is missing when it cannot work. */
    public static Libbpf libbpf() {
        NativeLibbpf l = instance;
        if (l != null) return l;
        synchronized (NativeSupport.class) {
            if (instance == null) {
                if (!NativeSupport.class.getModule().isNativeAccessEnabled())
                    throw new BpfException(problem().orElseThrow());
                try {
                    instance = new NativeLibbpf();
                    instance.version(); // binds the symbols now, so a bad library fails here and not mid-operation
                } catch (LinkageError e) {
                    instance = null;
                    throw new BpfException("libbpf.so.1 could not be bound: " + e.getMessage());
                }
            }
            return instance;
        }
    }
}
