package io.nodemesh.ebpf;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Option;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The eBPF backend's settings, each an {@link Option} of {@link DataplaneOptions}. The map capacities
 * ({@code ebpf.maxServices} and the rest) are options too, listed in {@link #OPTIONS}.
 *
 * @param pinRoot       bpffs directory for every pin
 * @param cgroupRoot    cgroup-v2 directory the programs attach at
 * @param redirect      whether local pod-to-pod connections are spliced by sockmap
 * @param policy        whether identity policy is enforced
 * @param loadBalancing whether service VIPs are balanced at connect()
 * @param proxyIp       the node proxy L7 services are steered to, or empty for none; it learns each connection's VIP
 *                      with {@code getsockopt(SO_ORIGINAL_DST)}, answered by {@code bpf/steering.bpf.c}
 * @param proxyPort     the node proxy's port, 0 for none
 * @param proxyCgroup   absolute path of the node proxy's cgroup-v2 directory, or empty: its own connections to L7
 *                      services are balanced to a backend instead of being steered back into it
 */
public record EbpfSettings(
        Path pinRoot,
        Path cgroupRoot,
        boolean redirect,
        boolean policy,
        boolean loadBalancing,
        String proxyIp,
        int proxyPort,
        String proxyCgroup) {
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/nodemesh");

    public static final Option<Path> PIN_ROOT = Option.path(
            "ebpf.pinRoot",
            DEFAULT_PIN_ROOT,
            "bpffs directory for every pin; its parent is mounted as bpffs when it is not one");
    public static final Option<Path> CGROUP_ROOT = Option.path(
            "ebpf.cgroupRoot",
            null,
            "cgroup-v2 directory the programs attach at (default: the cgroup2 mount in /proc/mounts)");
    public static final Option<Boolean> REDIRECT =
            Option.bool("ebpf.redirect", true, "splice connections between local pods with sockmap");
    public static final Option<Boolean> POLICY =
            Option.bool("ebpf.policy", true, "enforce identity policy at connect()");
    public static final Option<Boolean> LOAD_BALANCING =
            Option.bool("ebpf.lb", true, "balance service VIPs at connect()");
    public static final Option<String> PROXY_ADDRESS = Option.string(
            "ebpf.proxyAddress", "", "address of the node proxy L7 services are steered to (default none)");
    public static final Option<String> PROXY_IP = Option.string("ebpf.proxyIp", "", "older name of ebpf.proxyAddress");
    public static final Option<Integer> PROXY_PORT =
            Option.integer("ebpf.proxyPort", 0, 0, 65535, "port of the node proxy, 0 for none");
    public static final Path DEFAULT_STATE_DIR = Path.of("/run/nodemesh/ebpf");

    /** Not a setting of the installation, so not a component: where the applied-state record is kept. */
    public static final Option<Path> STATE_DIR = Option.path(
            "ebpf.stateDir",
            DEFAULT_STATE_DIR,
            "directory for the applied-state record (the pin root's path mirrored under it), which lets a restarted"
                    + " agent diff against the maps instead of rewriting them; cleared by a reboot as bpffs is");

    public static final Option<String> PROXY_CGROUP = Option.string(
            "ebpf.proxyCgroup", "", "absolute path of the node proxy's cgroup-v2 directory (default none)");

    /** Every option the eBPF backend reads, map capacities included. */
    public static final List<Option<?>> OPTIONS = Stream.concat(
                    Stream.of(
                            PIN_ROOT,
                            CGROUP_ROOT,
                            REDIRECT,
                            POLICY,
                            LOAD_BALANCING,
                            PROXY_ADDRESS,
                            PROXY_IP,
                            PROXY_PORT,
                            PROXY_CGROUP,
                            STATE_DIR),
                    PlanLimits.OPTIONS.stream())
            .toList();

    /**
     * Reads the settings from {@code options}.
     *
     * @throws IllegalArgumentException naming the option whose value is wrong
     */
    public static EbpfSettings from(DataplaneOptions options) {
        Path cgroup =
                options.find(CGROUP_ROOT).or(EbpfSettings::cgroup2Mount).orElse(Path.of("/sys/fs/cgroup/unified"));
        return new EbpfSettings(
                options.get(PIN_ROOT),
                cgroup,
                options.get(REDIRECT),
                options.get(POLICY),
                options.get(LOAD_BALANCING),
                proxyAddress(options),
                options.get(PROXY_PORT),
                options.get(PROXY_CGROUP));
    }

    /** {@code ebpf.proxyAddress}, or {@code ebpf.proxyIp} (the name used first); both given must agree. */
    private static String proxyAddress(DataplaneOptions options) {
        String address = options.get(PROXY_ADDRESS);
        String ip = options.get(PROXY_IP);
        if (!address.isEmpty() && !ip.isEmpty() && !address.equals(ip)) {
            throw new IllegalArgumentException(PROXY_ADDRESS.key() + " = '" + address + "' and " + PROXY_IP.key()
                    + " = '" + ip + "' name different node proxies: give only " + PROXY_ADDRESS.key());
        }
        return address.isEmpty() ? ip : address;
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
