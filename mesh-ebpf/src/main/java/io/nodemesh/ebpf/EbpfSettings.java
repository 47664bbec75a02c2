package io.nodemesh.ebpf;

import io.nodemesh.api.DataplaneOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The eBPF backend's settings, read from {@link DataplaneOptions#properties()}:
 * <ul>
 *   <li>{@code ebpf.pinRoot} — bpffs directory for every pin (default {@code /sys/fs/bpf/nodemesh})</li>
 *   <li>{@code ebpf.cgroupRoot} — cgroup-v2 directory the programs attach at (default: the cgroup2 mount from
 *       /proc/mounts, e.g. {@code /sys/fs/cgroup/unified} on hybrid machines)</li>
 *   <li>{@code ebpf.redirect}, {@code ebpf.policy}, {@code ebpf.lb} — {@code true}/{@code false}, each default true</li>
 *   <li>{@code ebpf.proxyAddress} (or its older name {@code ebpf.proxyIp}), {@code ebpf.proxyPort} — the node proxy
 *       L7 services are steered to (default none); the proxy learns each connection's VIP with
 *       {@code getsockopt(SO_ORIGINAL_DST)}, answered by {@code bpf/steering.bpf.c}</li>
 *   <li>{@code ebpf.proxyCgroup} — absolute path of the node proxy's cgroup-v2 directory (default none): its own
 *       connections to L7 services are balanced to a backend instead of being steered back into it</li>
 * </ul>
 */
public record EbpfSettings(Path pinRoot, Path cgroupRoot, boolean redirect, boolean policy, boolean loadBalancing,
                           String proxyIp, int proxyPort, String proxyCgroup) {
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/nodemesh");

    public static EbpfSettings from(DataplaneOptions options) {
        Path cgroup = options.property("ebpf.cgroupRoot").map(Path::of)
                .or(EbpfSettings::cgroup2Mount).orElse(Path.of("/sys/fs/cgroup/unified"));
        return new EbpfSettings(
                Path.of(options.property("ebpf.pinRoot", DEFAULT_PIN_ROOT.toString())),
                cgroup,
                flag(options, "ebpf.redirect"),
                flag(options, "ebpf.policy"),
                flag(options, "ebpf.lb"),
                proxyAddress(options),
                port(options, "ebpf.proxyPort"),
                options.property("ebpf.proxyCgroup", "").trim());
    }

    private static boolean flag(DataplaneOptions options, String key) {
        String v = options.property(key, "true").trim().toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException(key + " = '" + v + "' must be true or false");
        return v.equals("true");
    }

    /** {@code ebpf.proxyAddress}, or {@code ebpf.proxyIp} (the name used first); both given must agree. */
    private static String proxyAddress(DataplaneOptions options) {
        String address = options.property("ebpf.proxyAddress", "").trim();
        String ip = options.property("ebpf.proxyIp", "").trim();
        if (!address.isEmpty() && !ip.isEmpty() && !address.equals(ip)) {
            throw new IllegalArgumentException("ebpf.proxyAddress = '" + address + "' and ebpf.proxyIp = '" + ip
                    + "' name different node proxies: give only ebpf.proxyAddress");
        }
        return address.isEmpty() ? ip : address;
    }

    private static int port(DataplaneOptions options, String key) {
        String v = options.property(key, "0").trim();
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a port (0..65535)");
        }
    }

    /** The first cgroup2 mount point in /proc/mounts. */
    public static Optional<Path> cgroup2Mount() {
        try {
            return Files.readAllLines(Path.of("/proc/mounts")).stream()
                    .map(l -> l.split(" "))
                    .filter(f -> f.length > 2 && f[2].equals("cgroup2"))
                    .map(f -> Path.of(f[1]))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
