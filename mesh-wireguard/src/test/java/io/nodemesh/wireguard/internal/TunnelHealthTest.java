package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.PeerState;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rules that turn a device's peers into problems (the device itself is read for real in WireguardMeshRootTest):
 * bytes sent and none received is always one; a missing handshake only when keepalive promises handshakes.
 */
class TunnelHealthTest {
    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    final WireguardPrivateKey keyB = WireguardPrivateKey.generate();
    final WireguardPrivateKey keyC = WireguardPrivateKey.generate();
    final MeshState state = MeshState.builder()
            .node(Node.builder("node-b")
                    .address("10.0.0.2")
                    .wireguardPublicKey(keyB.publicKey().base64())
                    .build())
            .build();

    PeerState peer(WireguardPrivateKey key, Instant handshake, long rx, long tx) {
        return new PeerState(
                key.publicKey(),
                Optional.of(new InetSocketAddress("10.0.0.2", 51820)),
                List.of("10.244.2.0/24"),
                0,
                handshake,
                rx,
                tx);
    }

    BackendHealth health(int keepalive, PeerState... peers) {
        return TunnelHealth.of(
                "wireguard", new DeviceState(Optional.empty(), 51820, 0, List.of(peers)), state, keepalive, NOW);
    }

    @Test
    void peersAreNamedByTheirNodeOrTheirKey() {
        BackendHealth h = health(0, peer(keyB, NOW.minusSeconds(5), 10, 20), peer(keyC, Instant.EPOCH, 0, 0));
        assertThat(h.peers())
                .extracting(BackendHealth.TunnelPeer::node)
                .containsExactly("node-b", keyC.publicKey().base64());
        assertThat(h.peers().getFirst().endpoint()).contains("10.0.0.2:51820");
        assertThat(h.peers().get(1).lastHandshake()).isEmpty();
        assertThat(h.problems()).as("a quiet peer without keepalive is normal").isEmpty();
    }

    @Test
    void sentButNothingReceivedIsAProblem() {
        BackendHealth h = health(0, peer(keyB, Instant.EPOCH, 0, 9000));
        assertThat(h.problems()).singleElement().asString().contains("node-b", "sent 9000 bytes and received none");
    }

    @Test
    void withKeepaliveAStaleOrMissingHandshakeIsAProblem() {
        assertThat(health(25, peer(keyB, NOW.minusSeconds(60), 1, 1)).problems())
                .isEmpty();
        assertThat(health(25, peer(keyB, NOW.minusSeconds(600), 1, 1)).problems())
                .singleElement()
                .asString()
                .contains("node-b", "no handshake since", "keepalive is 25 s");
        assertThat(health(25, peer(keyB, Instant.EPOCH, 0, 0)).problems())
                .singleElement()
                .asString()
                .contains("no handshake yet");
    }
}
