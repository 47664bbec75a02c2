package io.nodemesh.wireguard.uapi;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text of the cross-platform WireGuard UAPI ({@code https://www.wireguard.com/xplatform/}): requests are
 * {@code key=value} lines ending with an empty line, keys travel in hex, and every reply ends with {@code errno=N}.
 */
final class UapiCodec {
    private UapiCodec() {}

    static List<UapiLine> encode(DeviceUpdate update) {
        List<UapiLine> lines = new ArrayList<>();
        update.privateKey().ifPresent(k -> lines.add(new UapiLine("private_key", k.revealHex(), "")));
        update.listenPort().ifPresent(p -> lines.add(new UapiLine("listen_port", Integer.toString(p), "")));
        if (update.replacePeers()) lines.add(new UapiLine("replace_peers", "true", ""));
        for (PeerUpdate peer : update.peers()) {
            String who = peer.name();
            lines.add(new UapiLine("public_key", peer.publicKey().hex(), who));
            if (peer.remove()) {
                lines.add(new UapiLine("remove", "true", who));
                continue;
            }
            if (peer.updateOnly()) lines.add(new UapiLine("update_only", "true", who));
            peer.endpoint().ifPresent(e -> lines.add(new UapiLine("endpoint", endpoint(e), who)));
            peer.persistentKeepalive()
                    .ifPresent(k -> lines.add(new UapiLine("persistent_keepalive_interval", Integer.toString(k), who)));
            peer.presharedKey().ifPresent(k -> lines.add(new UapiLine("preshared_key", k.revealHex(), who)));
            if (peer.replaceAllowedIps()) lines.add(new UapiLine("replace_allowed_ips", "true", who));
            for (String cidr : peer.allowedIps()) lines.add(new UapiLine("allowed_ip", canonicalCidr(cidr), who));
        }
        return lines;
    }

    static String request(String op, List<UapiLine> lines) {
        StringBuilder sb = new StringBuilder(op).append("=1\n");
        lines.forEach(l -> sb.append(l.text()));
        return sb.append('\n').toString();
    }

    static String endpoint(InetSocketAddress e) {
        InetAddress a = e.getAddress();
        String host = a instanceof Inet6Address
                ? "[" + a.getHostAddress().replaceFirst("%.*$", "") + "]"
                : a.getHostAddress();
        return host + ":" + e.getPort();
    }

    /** The spelling wireguard-go prints back, so a read-back comparison works: network address and prefix. */
    static String canonicalCidr(String cidr) {
        var parsed = IpAddresses.parseCidr(cidr).orElseThrow(() -> new IllegalArgumentException("not a CIDR: " + cidr));
        byte[] b = parsed.network().getAddress();
        for (int bit = parsed.prefix(); bit < b.length * 8; bit++) b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + parsed.prefix();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The errno of a reply: the value of its last {@code errno=} line; -1 when there is none (a protocol error). */
    static int errno(String reply) {
        int errno = -1;
        for (String line : reply.split("\n")) {
            if (line.startsWith("errno=")) {
                try {
                    errno = Math.abs(Integer.parseInt(line.substring(6).strip()));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return errno;
    }

    static DeviceState decodeGet(String reply) {
        Optional<WireguardPrivateKey> privateKey = Optional.empty();
        int listenPort = 0;
        int fwmark = 0;
        List<PeerState> peers = new ArrayList<>();
        PeerBuilder peer = null;
        for (String line : reply.split("\n")) {
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("malformed UAPI line '" + line + "'");
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("public_key")) {
                if (peer != null) peers.add(peer.build());
                peer = new PeerBuilder(WireguardKey.fromHex(value));
                continue;
            }
            if (peer == null) {
                switch (key) {
                    case "private_key" -> privateKey = Optional.of(WireguardPrivateKey.fromHex(value));
                    case "listen_port" -> listenPort = Integer.parseInt(value);
                    case "fwmark" -> fwmark = Integer.parseInt(value);
                    default -> {} // errno and fields of newer versions
                }
                continue;
            }
            switch (key) {
                case "endpoint" -> peer.endpoint = Optional.of(parseEndpoint(value));
                case "allowed_ip" -> peer.allowedIps.add(value);
                case "persistent_keepalive_interval" -> peer.keepalive = Integer.parseInt(value);
                case "last_handshake_time_sec" -> peer.handshakeSec = Long.parseLong(value);
                case "last_handshake_time_nsec" -> peer.handshakeNsec = Long.parseLong(value);
                case "rx_bytes" -> peer.rx = Long.parseLong(value);
                case "tx_bytes" -> peer.tx = Long.parseLong(value);
                case "preshared_key" ->
                    peer.psk = !value.chars().allMatch(c -> c == '0'); // only whether, never the key
                default -> {} // protocol_version, errno
            }
        }
        if (peer != null) peers.add(peer.build());
        return new DeviceState(privateKey, listenPort, fwmark, peers);
    }

    static InetSocketAddress parseEndpoint(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("malformed endpoint '" + value + "'");
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        InetAddress address = IpAddresses.parse(host)
                .orElseThrow(() -> new IllegalArgumentException("malformed endpoint '" + value + "'"));
        return new InetSocketAddress(address, Integer.parseInt(value.substring(colon + 1)));
    }

    /**
     * wireguard-go applies a set request line by line and stops at the first line it refuses, replying only with an
     * errno. Reading the device back tells which line that was: the first one whose effect is missing.
     */
    static Optional<UapiLine> firstNotApplied(List<UapiLine> lines, DeviceState device) {
        PeerState current = null;
        for (UapiLine line : lines) {
            switch (line.key()) {
                case "private_key" -> {
                    if (device.privateKey()
                            .map(k -> !k.revealHex().equals(line.value()))
                            .orElse(true)) return Optional.of(line);
                }
                case "listen_port" -> {
                    if (device.listenPort() != Integer.parseInt(line.value())) return Optional.of(line);
                }
                case "public_key" ->
                    current = device.peer(WireguardKey.fromHex(line.value())).orElse(null);
                case "endpoint" -> {
                    if (current == null
                            || current.endpoint()
                                    .map(e -> !endpoint(e).equals(line.value()))
                                    .orElse(true)) return Optional.of(line);
                }
                case "persistent_keepalive_interval" -> {
                    if (current == null || current.persistentKeepalive() != Integer.parseInt(line.value()))
                        return Optional.of(line);
                }
                case "allowed_ip" -> {
                    if (current == null || !current.allowedIps().contains(line.value())) return Optional.of(line);
                }
                default -> {} // remove, update_only, replace_*: no trace to compare; preshared_key: not read back
            }
        }
        return Optional.empty();
    }

    private static final class PeerBuilder {
        final WireguardKey key;
        Optional<InetSocketAddress> endpoint = Optional.empty();
        final List<String> allowedIps = new ArrayList<>();
        int keepalive;
        long handshakeSec;
        long handshakeNsec;
        long rx;
        long tx;
        boolean psk;

        PeerBuilder(WireguardKey key) {
            this.key = key;
        }

        PeerState build() {
            return new PeerState(
                    key,
                    endpoint,
                    allowedIps,
                    keepalive,
                    Instant.ofEpochSecond(handshakeSec, handshakeNsec),
                    rx,
                    tx,
                    psk);
        }
    }
}
