package io.nodemesh.wireguard.internal;

import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The tunnel's peers as the device reports them, named by node, with what an operator should look at. */
final class TunnelHealth {
    /** WireGuard drops a session this long after its handshake (REJECT_AFTER_TIME). */
    static final Duration SESSION_LIFETIME = Duration.ofSeconds(180);

    private TunnelHealth() {}

    static BackendHealth of(String backend, DeviceState device, MeshState state, int keepaliveSeconds, Instant now) {
        Map<String, String> nodeByKey = state.nodes().stream()
                .filter(n -> !n.wireguardPublicKey().isEmpty())
                .collect(Collectors.toMap(Node::wireguardPublicKey, Node::name, (a, b) -> a));
        List<BackendHealth.TunnelPeer> peers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (PeerState p : device.peers()) {
            String key = p.publicKey().base64();
            String node = nodeByKey.getOrDefault(key, key);
            Optional<Instant> handshake = p.hasHandshake() ? Optional.of(p.lastHandshake()) : Optional.empty();
            peers.add(new BackendHealth.TunnelPeer(
                    node,
                    key,
                    p.endpoint().map(e -> e.getHostString() + ":" + e.getPort()),
                    handshake,
                    p.rxBytes(),
                    p.txBytes()));
            problem(node, p, handshake, keepaliveSeconds, now).ifPresent(problems::add);
        }
        return new BackendHealth(backend, problems, List.of(), peers, List.of());
    }

    private static Optional<String> problem(
            String node, PeerState p, Optional<Instant> handshake, int keepaliveSeconds, Instant now) {
        if (p.txBytes() > 0 && p.rxBytes() == 0) {
            return Optional.of("wireguard peer " + node + ": sent " + p.txBytes()
                    + " bytes and received none; is its endpoint reachable and its key current?");
        }
        // Without keepalive a quiet peer never handshakes, which is normal; with it, handshakes must keep coming.
        if (keepaliveSeconds == 0) return Optional.empty();
        Duration allowed = SESSION_LIFETIME.plusSeconds(keepaliveSeconds);
        if (handshake.isEmpty() || handshake.get().plus(allowed).isBefore(now)) {
            return Optional.of("wireguard peer " + node + ": no handshake "
                    + handshake.map(h -> "since " + h).orElse("yet") + " although keepalive is " + keepaliveSeconds
                    + " s");
        }
        return Optional.empty();
    }
}
