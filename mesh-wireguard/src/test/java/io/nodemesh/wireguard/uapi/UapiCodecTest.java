package io.nodemesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class UapiCodecTest {
    static final WireguardKey PEER = WireguardPrivateKey.generate().publicKey();

    @Test
    void encodesAPeerUpsertInWireOrderWithHexKeys() throws Exception {
        var update = DeviceUpdate.peer(PeerUpdate.upsert(
                "node-b",
                PEER,
                new InetSocketAddress(InetAddress.getByName("10.211.0.2"), 51820),
                25,
                List.of("10.210.2.7/24", "fd00:2::/64")));
        assertThat(UapiCodec.request("set", UapiCodec.encode(update))).isEqualTo("""
                set=1
                public_key=%s
                endpoint=10.211.0.2:51820
                persistent_keepalive_interval=25
                replace_allowed_ips=true
                allowed_ip=10.210.2.0/24
                allowed_ip=fd00:2:0:0:0:0:0:0/64

                """.formatted(PEER.hex()));
    }

    @Test
    void encodesRemovalAndDeviceFieldsAndBracketsV6Endpoints() throws Exception {
        var key = WireguardPrivateKey.generate();
        var update = new DeviceUpdate(
                Optional.of(key), OptionalInt.of(51821), true, List.of(PeerUpdate.remove("gone", PEER)));
        assertThat(UapiCodec.encode(update))
                .extracting(UapiLine::text)
                .containsExactly(
                        "private_key=" + key.revealHex() + "\n",
                        "listen_port=51821\n",
                        "replace_peers=true\n",
                        "public_key=" + PEER.hex() + "\n",
                        "remove=true\n");
        assertThat(UapiCodec.endpoint(new InetSocketAddress(InetAddress.getByName("fd00::1"), 5)))
                .isEqualTo("[fd00:0:0:0:0:0:0:1]:5");
    }

    @Test
    void encodesUpdateOnlyAndLeavesOutWhatIsNotGiven() {
        var update = DeviceUpdate.peer(
                new PeerUpdate("node-b", PEER, false, true, Optional.empty(), OptionalInt.of(0), false, List.of()));
        assertThat(UapiCodec.encode(update))
                .extracting(UapiLine::text)
                .containsExactly(
                        "public_key=" + PEER.hex() + "\n", "update_only=true\n", "persistent_keepalive_interval=0\n");
    }

    @Test
    void decodesAGetReply() {
        var priv = WireguardPrivateKey.generate();
        String reply = """
                private_key=%s
                listen_port=51820
                public_key=%s
                preshared_key=0000000000000000000000000000000000000000000000000000000000000000
                protocol_version=1
                endpoint=[fd00::2]:51820
                last_handshake_time_sec=1700000000
                last_handshake_time_nsec=5
                tx_bytes=100
                rx_bytes=200
                persistent_keepalive_interval=25
                allowed_ip=10.210.2.0/24
                allowed_ip=10.210.22.0/24
                errno=0

                """.formatted(priv.revealHex(), PEER.hex());
        DeviceState s = UapiCodec.decodeGet(reply);
        assertThat(s.privateKey()).contains(priv);
        assertThat(s.listenPort()).isEqualTo(51820);
        PeerState p = s.peer(PEER).orElseThrow();
        assertThat(p.endpoint()).get().extracting(InetSocketAddress::getPort).isEqualTo(51820);
        assertThat(p.allowedIps()).containsExactly("10.210.2.0/24", "10.210.22.0/24");
        assertThat(p.lastHandshake()).isEqualTo(Instant.ofEpochSecond(1700000000, 5));
        assertThat(p.txBytes()).isEqualTo(100);
        assertThat(p.rxBytes()).isEqualTo(200);
        assertThat(p.persistentKeepalive()).isEqualTo(25);
        assertThat(s.toString()).doesNotContain(priv.revealHex()).doesNotContain(priv.revealBase64());
    }

    @Test
    void errnoOfReplies() {
        assertThat(UapiCodec.errno("errno=0\n\n")).isZero();
        assertThat(UapiCodec.errno("errno=-22\n\n")).isEqualTo(22);
        assertThat(UapiCodec.errno("listen_port=1\n\n")).isEqualTo(-1);
    }

    @Test
    void findsTheFirstLineTheDeviceDidNotTake() throws Exception {
        var update = DeviceUpdate.peer(PeerUpdate.upsert(
                "node-b",
                PEER,
                new InetSocketAddress(InetAddress.getByName("10.211.0.2"), 51820),
                0,
                List.of("10.210.2.0/24", "10.210.3.0/24")));
        var lines = UapiCodec.encode(update);
        var applied = new DeviceState(
                Optional.empty(),
                51820,
                0,
                List.of(new PeerState(
                        PEER,
                        Optional.of(new InetSocketAddress(InetAddress.getByName("10.211.0.2"), 51820)),
                        List.of("10.210.2.0/24"),
                        0,
                        Instant.EPOCH,
                        0,
                        0)));
        assertThat(UapiCodec.firstNotApplied(lines, applied)).get().satisfies(l -> {
            assertThat(l.key()).isEqualTo("allowed_ip");
            assertThat(l.value()).isEqualTo("10.210.3.0/24");
            assertThat(l.peer()).isEqualTo("node-b");
        });
    }

    @Test
    void peerUpdatesRejectBadValuesNamingThePeer() {
        assertThatThrownBy(() ->
                        PeerUpdate.upsert("node-c", PEER, InetSocketAddress.createUnresolved("host", 1), 0, List.of()))
                .hasMessageContaining("peer node-c")
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> PeerUpdate.upsert("node-c", PEER, new InetSocketAddress(1), 0, List.of("10.0.0.0/33")))
                .hasMessageContaining("peer node-c")
                .hasMessageContaining("allowed IP");
        assertThatThrownBy(() -> PeerUpdate.upsert("node-c", PEER, new InetSocketAddress(1), 70000, List.of()))
                .hasMessageContaining("peer node-c")
                .hasMessageContaining("keepalive");
    }
}
