package io.nodemesh.wireguard;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.IpAddresses;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code wireguard} backend's settings, read from {@link DataplaneOptions#properties()}.
 *
 * @param node         the node this dataplane runs on ({@link DataplaneOptions#node()}); it is never its own peer
 * @param iface        WireGuard interface name ({@value #INTERFACE}); also names the UAPI socket, which lives in a
 *                     directory shared by all network namespaces, so it must be unique on the machine
 * @param netns        named network namespace ({@code ip netns}) the node lives in, empty for the current one ({@value #NETNS})
 * @param listenPort   UDP port this node listens on ({@value #LISTEN_PORT})
 * @param peerPort     UDP port peers listen on, the endpoint port ({@value #PEER_PORT}, default = listenPort)
 * @param keyFile      where the node's private key is kept, mode 0600 ({@value #KEY_FILE})
 * @param keepalive    persistent keepalive in seconds for every peer, 0 for none ({@value #KEEPALIVE})
 * @param mtu          interface MTU ({@value #MTU})
 * @param address      optional interface address in CIDR form, used as source of host-originated tunnel traffic ({@value #ADDRESS})
 * @param routeMetric  metric of the routes to remote pod CIDRs via the tunnel ({@value #ROUTE_METRIC}); lower than the
 *                     underlay's routes so the tunnel wins while a peer exists
 * @param strictCidrs  extra CIDRs strict mode guards besides the remote nodes' pod CIDRs, typically the whole cluster pod
 *                     range, so a node that left the state still fails closed ({@value #STRICT_CIDRS}, comma-separated)
 * @param binary       the userspace WireGuard implementation to run ({@value #BINARY})
 * @param presharedSecretFile the mesh secret every pair's preshared key is derived from ({@value #PRESHARED_SECRET_FILE};
 *                     see {@link PresharedSecret}); empty for no preshared keys. Re-read on every apply.
 * @param flowInterval how often the per-peer counters (and strict mode's drop counters) are polled into flow events
 *                     ({@value #FLOW_INTERVAL_MS} ms)
 */
public record WireguardSettings(String node, String iface, String netns, int listenPort, int peerPort, Path keyFile,
                                int keepalive, int mtu, Optional<String> address, int routeMetric, List<String> strictCidrs,
                                String binary, Optional<Path> presharedSecretFile, java.time.Duration flowInterval) {
    public static final String INTERFACE = "wireguard.interface";
    public static final String NETNS = "wireguard.netns";
    public static final String LISTEN_PORT = "wireguard.listenPort";
    public static final String PEER_PORT = "wireguard.peerPort";
    public static final String KEY_FILE = "wireguard.keyFile";
    public static final String KEEPALIVE = "wireguard.keepalive";
    public static final String MTU = "wireguard.mtu";
    public static final String ADDRESS = "wireguard.address";
    public static final String ROUTE_METRIC = "wireguard.routeMetric";
    public static final String STRICT_CIDRS = "wireguard.strictCidrs";
    public static final String BINARY = "wireguard.binary";
    public static final String PRESHARED_SECRET_FILE = "wireguard.presharedSecretFile";
    public static final String FLOW_INTERVAL_MS = "wireguard.flowIntervalMs";

    public WireguardSettings {
        strictCidrs = List.copyOf(strictCidrs);
        if (!iface.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException(INTERFACE + ": '" + iface + "' is not an interface name (1-15 of A-Z a-z 0-9 _ . -)");
        }
        if (!netns.isEmpty() && !netns.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException(NETNS + ": '" + netns + "' is not a network namespace name");
        }
        port(LISTEN_PORT, listenPort);
        port(PEER_PORT, peerPort);
        if (keepalive < 0 || keepalive > 65535) throw new IllegalArgumentException(KEEPALIVE + ": " + keepalive + " is outside 0..65535 seconds");
        if (mtu < 1280 || mtu > 65535) throw new IllegalArgumentException(MTU + ": " + mtu + " is outside 1280..65535");
        address.ifPresent(a -> cidr(ADDRESS, a));
        strictCidrs.forEach(c -> cidr(STRICT_CIDRS, c));
        presharedSecretFile = presharedSecretFile == null ? Optional.empty() : presharedSecretFile;
        if (flowInterval.toMillis() < 10 || flowInterval.toMinutes() > 60) {
            throw new IllegalArgumentException(FLOW_INTERVAL_MS + ": " + flowInterval.toMillis() + " is outside 10..3600000 ms");
        }
        if (routeMetric < 0) throw new IllegalArgumentException(ROUTE_METRIC + ": " + routeMetric + " is negative");
    }

    /** Reads the settings; an unparsable value fails with the property named. */
    public static WireguardSettings from(DataplaneOptions options) {
        if (options.node().isEmpty()) {
            throw new IllegalArgumentException("the wireguard backend programs one node: give DataplaneOptions.forNode(name)");
        }
        String iface = options.property(INTERFACE, "nm-wg0");
        int listen = integer(options, LISTEN_PORT, 51820);
        List<String> strict = new ArrayList<>();
        for (String c : options.property(STRICT_CIDRS, "").split(",")) if (!c.isBlank()) strict.add(c.strip());
        return new WireguardSettings(options.node(), iface, options.property(NETNS, ""), listen,
                integer(options, PEER_PORT, listen),
                Path.of(options.property(KEY_FILE, "/var/lib/nodemesh/wireguard/" + iface + ".key")),
                integer(options, KEEPALIVE, 0), integer(options, MTU, 1420),
                options.property(ADDRESS).filter(s -> !s.isBlank()), integer(options, ROUTE_METRIC, 10), strict,
                options.property(BINARY, "wireguard-go"),
                options.property(PRESHARED_SECRET_FILE).filter(s -> !s.isBlank()).map(s -> Path.of(s.strip())),
                java.time.Duration.ofMillis(integer(options, FLOW_INTERVAL_MS, 3000)));
    }

    private static int integer(DataplaneOptions options, String key, int fallback) {
        String v = options.property(key, "").strip();
        if (v.isEmpty()) return fallback;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a number");
        }
    }

    private static void port(String key, int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException(key + ": " + port + " is outside 1..65535");
    }

    private static void cidr(String key, String value) {
        if (IpAddresses.parseCidr(value).isEmpty()) throw new IllegalArgumentException(key + ": '" + value + "' is not a CIDR such as 10.0.0.0/16");
    }
}
