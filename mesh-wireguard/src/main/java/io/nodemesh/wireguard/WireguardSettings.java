package io.nodemesh.wireguard;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Option;
import io.nodemesh.api.state.IpAddresses;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code wireguard} backend's settings, read from its {@link #OPTIONS}.
 *
 * @param node         the node this dataplane runs on ({@link DataplaneOptions#node()}); it is never its own peer
 * @param iface        WireGuard interface name ({@code wireguard.interface}); also names the UAPI socket, which lives in a
 *                     directory shared by all network namespaces, so it must be unique on the machine
 * @param netns        named network namespace ({@code ip netns}) the node lives in, empty for the current one ({@code wireguard.netns})
 * @param listenPort   UDP port this node listens on ({@code wireguard.listenPort})
 * @param peerPort     UDP port peers listen on, the endpoint port ({@code wireguard.peerPort}, default = listenPort)
 * @param keyFile      where the node's private key is kept, mode 0600 ({@code wireguard.keyFile})
 * @param keepalive    persistent keepalive in seconds for every peer, 0 for none ({@code wireguard.keepalive})
 * @param mtu          interface MTU ({@code wireguard.mtu})
 * @param address      optional interface address in CIDR form, used as source of host-originated tunnel traffic ({@code wireguard.address})
 * @param routeMetric  metric of the routes to remote pod CIDRs via the tunnel ({@code wireguard.routeMetric}); lower than the
 *                     underlay's routes so the tunnel wins while a peer exists
 * @param strictCidrs  extra CIDRs strict mode guards besides the remote nodes' pod CIDRs, typically the whole cluster pod
 *                     range, so a node that left the state still fails closed ({@code wireguard.strictCidrs}, comma-separated)
 * @param binary       the userspace WireGuard implementation to run ({@code wireguard.binary})
 * @param presharedSecretFile the mesh secret every pair's preshared key is derived from ({@code wireguard.presharedSecretFile};
 *                     see {@link PresharedSecret}); empty for no preshared keys. Re-read on every apply.
 * @param flowInterval how often the per-peer counters (and strict mode's drop counters) are polled into flow events
 *                     ({@code wireguard.flowIntervalMs} ms)
 */
public record WireguardSettings(
        String node,
        String iface,
        String netns,
        int listenPort,
        int peerPort,
        Path keyFile,
        int keepalive,
        int mtu,
        Optional<String> address,
        int routeMetric,
        List<String> strictCidrs,
        String binary,
        Optional<Path> presharedSecretFile,
        java.time.Duration flowInterval) {
    public static final Option<String> INTERFACE = Option.string(
            "wireguard.interface",
            "nm-wg0",
            "WireGuard interface name, unique on the machine (it names the UAPI socket)");
    public static final Option<String> NETNS = Option.string(
            "wireguard.netns", "", "named network namespace the node lives in, empty for the current one");
    public static final Option<Integer> LISTEN_PORT =
            Option.integer("wireguard.listenPort", 51820, 1, 65535, "UDP port this node listens on");
    public static final Option<Integer> PEER_PORT =
            Option.integer("wireguard.peerPort", 0, 0, 65535, "UDP port peers listen on, 0 for the listen port");
    public static final Option<Path> KEY_FILE = Option.path(
            "wireguard.keyFile",
            null,
            "the node's private key file, mode 0600; default /var/lib/nodemesh/wireguard/<interface>.key");
    public static final Option<Integer> KEEPALIVE = Option.integer(
            "wireguard.keepalive", 0, 0, 65535, "persistent keepalive in seconds for every peer, 0 for none");
    public static final Option<Integer> MTU = Option.integer("wireguard.mtu", 1420, 1280, 65535, "interface MTU");
    public static final Option<String> ADDRESS = Option.string(
            "wireguard.address",
            "",
            "interface address in CIDR form, the source of host-originated tunnel traffic; none unless set");
    public static final Option<Integer> ROUTE_METRIC = Option.integer(
            "wireguard.routeMetric",
            10,
            0,
            Integer.MAX_VALUE,
            "metric of the routes to remote pod CIDRs via the tunnel");
    public static final Option<List<String>> STRICT_CIDRS =
            Option.list("wireguard.strictCidrs", "extra CIDRs strict mode guards besides the remote nodes' pod CIDRs");
    public static final Option<String> BINARY =
            Option.string("wireguard.binary", "wireguard-go", "the userspace WireGuard implementation to run");
    public static final Option<Path> PRESHARED_SECRET_FILE = Option.path(
            "wireguard.presharedSecretFile",
            null,
            "the mesh secret every pair's preshared key is derived from; none unless set");
    public static final Option<Integer> FLOW_INTERVAL_MS = Option.integer(
            "wireguard.flowIntervalMs",
            3000,
            10,
            3_600_000,
            "how often per-peer counters are polled into flow events, in ms");
    /** Every option the WireGuard backend reads. */
    public static final List<Option<?>> OPTIONS = List.of(
            INTERFACE,
            NETNS,
            LISTEN_PORT,
            PEER_PORT,
            KEY_FILE,
            KEEPALIVE,
            MTU,
            ADDRESS,
            ROUTE_METRIC,
            STRICT_CIDRS,
            BINARY,
            PRESHARED_SECRET_FILE,
            FLOW_INTERVAL_MS);

    public WireguardSettings {
        strictCidrs = List.copyOf(strictCidrs);
        if (!iface.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException(
                    INTERFACE.key() + ": '" + iface + "' is not an interface name (1-15 of A-Z a-z 0-9 _ . -)");
        }
        if (!netns.isEmpty() && !netns.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException(NETNS.key() + ": '" + netns + "' is not a network namespace name");
        }
        port(LISTEN_PORT, listenPort);
        port(PEER_PORT, peerPort);
        if (keepalive < 0 || keepalive > 65535)
            throw new IllegalArgumentException(KEEPALIVE.key() + ": " + keepalive + " is outside 0..65535 seconds");
        if (mtu < 1280 || mtu > 65535)
            throw new IllegalArgumentException(MTU.key() + ": " + mtu + " is outside 1280..65535");
        address.ifPresent(a -> cidr(ADDRESS, a));
        strictCidrs.forEach(c -> cidr(STRICT_CIDRS, c));
        presharedSecretFile = presharedSecretFile == null ? Optional.empty() : presharedSecretFile;
        if (flowInterval.toMillis() < 10 || flowInterval.toMinutes() > 60) {
            throw new IllegalArgumentException(
                    FLOW_INTERVAL_MS.key() + ": " + flowInterval.toMillis() + " is outside 10..3600000 ms");
        }
        if (routeMetric < 0)
            throw new IllegalArgumentException(ROUTE_METRIC.key() + ": " + routeMetric + " is negative");
    }

    /** Reads the settings; an unparsable value fails with the option named. */
    public static WireguardSettings from(DataplaneOptions options) {
        if (options.node().isEmpty()) {
            throw new IllegalArgumentException(
                    "the wireguard backend programs one node: give DataplaneOptions.forNode(name)");
        }
        String iface = options.get(INTERFACE);
        int listen = options.get(LISTEN_PORT);
        int peer = options.get(PEER_PORT);
        return new WireguardSettings(
                options.node(),
                iface,
                options.get(NETNS),
                listen,
                peer == 0 ? listen : peer,
                options.find(KEY_FILE).orElse(defaultKeyFile(iface)),
                options.get(KEEPALIVE),
                options.get(MTU),
                Optional.of(options.get(ADDRESS)).filter(a -> !a.isEmpty()),
                options.get(ROUTE_METRIC),
                options.get(STRICT_CIDRS),
                options.get(BINARY),
                options.find(PRESHARED_SECRET_FILE),
                java.time.Duration.ofMillis(options.get(FLOW_INTERVAL_MS)));
    }

    /** Where the node's key is kept when {@link #KEY_FILE} is not set. */
    public static Path defaultKeyFile(String iface) {
        return Path.of("/var/lib/nodemesh/wireguard/" + iface + ".key");
    }

    private static void port(Option<?> key, int port) {
        if (port < 1 || port > 65535)
            throw new IllegalArgumentException(key.key() + ": " + port + " is outside 1..65535");
    }

    private static void cidr(Option<?> key, String value) {
        if (IpAddresses.parseCidr(value).isEmpty())
            throw new IllegalArgumentException(key.key() + ": '" + value + "' is not a CIDR such as 10.0.0.0/16");
    }
}
