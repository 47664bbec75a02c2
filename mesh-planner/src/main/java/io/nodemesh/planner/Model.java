package io.nodemesh.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One dataplane model to plan: a dataplane and how it encrypts. Written {@code sidecar}, {@code sidecar+mtls},
 * {@code node+mtls}, {@code ebpf+wireguard}…
 */
public record Model(Dataplane dataplane, Encryption encryption) {
    public Model {
        if (dataplane == null || encryption == null)
            throw new IllegalArgumentException("model needs a dataplane and an encryption");
        if (dataplane == Dataplane.EBPF && encryption == Encryption.MTLS) {
            throw new IllegalArgumentException(
                    "model ebpf+mtls: the eBPF dataplane has no proxy on the L4 path to terminate mTLS;"
                            + " use ebpf+wireguard");
        }
    }

    /** The six models the planner compares by default. */
    public static final List<Model> DEFAULTS = List.of(
            new Model(Dataplane.SIDECAR, Encryption.NONE), new Model(Dataplane.SIDECAR, Encryption.MTLS),
            new Model(Dataplane.NODE_PROXY, Encryption.NONE), new Model(Dataplane.NODE_PROXY, Encryption.MTLS),
            new Model(Dataplane.EBPF, Encryption.NONE), new Model(Dataplane.EBPF, Encryption.WIREGUARD));

    /**
     * Parses {@code dataplane[+encryption]}: dataplane is {@code sidecar}, {@code node} or {@code ebpf}; encryption is
     * {@code mtls} or {@code wireguard}.
     *
     * @throws IllegalArgumentException naming the unknown part and the accepted names
     */
    public static Model parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        String[] parts = s.split("\\+", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown model '" + text + "': write dataplane[+encryption], e.g. sidecar+mtls");
        }
        Dataplane dp = null;
        for (Dataplane d : Dataplane.values()) if (d.cliName().equals(parts[0])) dp = d;
        if (dp == null) {
            throw new IllegalArgumentException(
                    "unknown model '" + text + "': dataplane '" + parts[0] + "' is not one of sidecar, node, ebpf");
        }
        Encryption enc = Encryption.NONE;
        if (parts.length == 2) {
            enc = null;
            for (Encryption e : Encryption.values())
                if (e != Encryption.NONE && e.cliName().equals(parts[1])) enc = e;
            if (enc == null) {
                throw new IllegalArgumentException(
                        "unknown model '" + text + "': encryption '" + parts[1] + "' is not one of mtls, wireguard");
            }
        }
        return new Model(dp, enc);
    }

    /** Parses a comma-separated list; every unknown name is reported at once. */
    public static List<Model> parseList(String csv) {
        List<Model> models = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String part : csv.split(",")) {
            try {
                Model m = parse(part);
                if (!models.contains(m)) models.add(m);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("; ", errors));
        return List.copyOf(models);
    }

    /** {@code sidecar+mtls}, {@code ebpf}. */
    public String name() {
        return encryption == Encryption.NONE ? dataplane.cliName() : dataplane.cliName() + "+" + encryption.cliName();
    }

    @Override
    public String toString() {
        return name();
    }
}
