package io.nodemesh.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's node-level options, each given once on the command line and fanned out to every backend setting it
 * stands for — so the eBPF steering target and Envoy's listener cannot drift apart by a typo in one of them.
 * A {@code null} field was not given.
 *
 * @param proxyAddress      {@code --proxy-address}: the node proxy's address that L7 connections are steered to
 * @param proxyPort         {@code --proxy-port}: the node proxy's outbound listener port
 * @param proxyCgroup       {@code --proxy-cgroup}: the node proxy's cgroup-v2 directory (its own connections are not steered)
 * @param pinPath           {@code --pin-path}: bpffs directory for the eBPF pins
 * @param cgroupRoot        {@code --cgroup-root}: cgroup-v2 directory the eBPF programs attach at
 * @param wireguardInterface {@code --wireguard-interface}
 * @param wireguardPort     {@code --wireguard-port}: this node's WireGuard UDP port
 * @param wireguardKeyFile  {@code --wireguard-key-file}: this node's WireGuard private key (created if missing)
 * @param caDir             {@code --ca-dir}: the mesh CA directory Envoy loads its root from
 */
record NodeFlags(
        String proxyAddress,
        Integer proxyPort,
        String proxyCgroup,
        String pinPath,
        String cgroupRoot,
        String wireguardInterface,
        Integer wireguardPort,
        String wireguardKeyFile,
        String caDir) {
    static final NodeFlags NONE = new NodeFlags(null, null, null, null, null, null, null, null);

    /** Without {@code --ca-dir}. */
    NodeFlags(
            String proxyAddress,
            Integer proxyPort,
            String proxyCgroup,
            String pinPath,
            String cgroupRoot,
            String wireguardInterface,
            Integer wireguardPort,
            String wireguardKeyFile) {
        this(
                proxyAddress,
                proxyPort,
                proxyCgroup,
                pinPath,
                cgroupRoot,
                wireguardInterface,
                wireguardPort,
                wireguardKeyFile,
                null);
    }

    /** One flag and the backend properties it sets. */
    record Mapping(String flag, String value, List<String> properties) {}

    /** The flags that were given, with the properties each one sets, in command-line order. */
    List<Mapping> given() {
        Map<String, Mapping> m = new LinkedHashMap<>();
        put(m, "--proxy-address", proxyAddress, "ebpf.proxyAddress");
        // One port for both ends of the steering: eBPF rewrites connects to it, Envoy listens on it.
        put(m, "--proxy-port", proxyPort == null ? null : proxyPort.toString(), "ebpf.proxyPort", "envoy.outboundPort");
        put(m, "--proxy-cgroup", proxyCgroup, "ebpf.proxyCgroup");
        put(m, "--pin-path", pinPath, "ebpf.pinRoot");
        put(m, "--cgroup-root", cgroupRoot, "ebpf.cgroupRoot");
        put(m, "--wireguard-interface", wireguardInterface, "wireguard.interface");
        put(m, "--wireguard-port", wireguardPort == null ? null : wireguardPort.toString(), "wireguard.listenPort");
        put(m, "--wireguard-key-file", wireguardKeyFile, "wireguard.keyFile");
        put(m, "--ca-dir", caDir, "envoy.caDir");
        return List.copyOf(m.values());
    }

    private static void put(Map<String, Mapping> m, String flag, String value, String... properties) {
        if (value != null) m.put(flag, new Mapping(flag, value.strip(), List.of(properties)));
    }
}
