package io.nodemesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.contract.Privileges;
import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.Commands;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.testing.Await;
import io.nodemesh.wireguard.testing.MeshTopology;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UAPI client against a real wireguard-go, cross-checked with {@code wg} (an independent UAPI client). */
class UapiRootTest {
    private final String ns = MeshTopology.PREFIX + "q";
    private final String iface = MeshTopology.PREFIX + "x0";
    private Netns netns;
    private ChildProcess wireguardGo;
    private UapiClient client;

    @BeforeEach
    void start() throws Exception {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        Privileges.requireBinary("wg", "wireguard-tools");
        MeshTopology.sweepStale();
        netns = Netns.create(ns);
        ProcessBuilder pb = new ProcessBuilder(netns.wrap(List.of("wireguard-go", "-f", iface)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LOG_LEVEL", "error");
        wireguardGo = ChildProcess.start("wireguard-go", pb);
        client = UapiClient.forInterface(iface);
        assertThat(Await.until(
                        () -> {
                            try {
                                client.get();
                                return true;
                            } catch (UapiException e) {
                                return false;
                            }
                        },
                        10))
                .as("wireguard-go UAPI socket up")
                .isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        if (wireguardGo != null) wireguardGo.close();
        if (netns != null) netns.close();
        Files.deleteIfExists(Path.of("/var/run/wireguard", iface + ".sock"));
        assertThat(MeshTopology.leftovers()).isEmpty();
    }

    @Test
    void setThenGetRoundTripsAndWgSeesTheSame() throws Exception {
        var key = WireguardPrivateKey.generate();
        var b = WireguardPrivateKey.generate().publicKey();
        var c = WireguardPrivateKey.generate().publicKey();
        client.set(new DeviceUpdate(
                Optional.of(key),
                OptionalInt.of(51999),
                true,
                List.of(
                        PeerUpdate.upsert(
                                "node-b",
                                b,
                                new InetSocketAddress(InetAddress.getByName("10.211.0.2"), 51820),
                                25,
                                List.of("10.210.2.0/24")),
                        PeerUpdate.upsert(
                                "node-c",
                                c,
                                new InetSocketAddress(InetAddress.getByName("fd00::3"), 51820),
                                0,
                                List.of("10.210.3.0/24", "fd00:3::/64")))));
        DeviceState s = client.get();
        assertThat(s.privateKey()).contains(key);
        assertThat(s.listenPort()).isEqualTo(51999);
        assertThat(s.peer(b).orElseThrow().allowedIps()).containsExactly("10.210.2.0/24");
        assertThat(s.peer(b).orElseThrow().persistentKeepalive()).isEqualTo(25);
        assertThat(s.peer(c).orElseThrow().endpoint())
                .get()
                .extracting(e -> e.getAddress().getHostAddress())
                .isEqualTo("fd00:0:0:0:0:0:0:3");

        String dump = Commands.check("wg", "show", iface, "dump");
        assertThat(dump)
                .contains(key.publicKey().base64() + "\t51999")
                .contains(b.base64() + "\t(none)\t10.211.0.2:51820\t10.210.2.0/24\t0\t0\t0\t25")
                .contains(c.base64() + "\t(none)\t[fd00::3]:51820\t10.210.3.0/24,fd00:3::/64");

        // A peer changed by hand with wg: what get reports is what wg did.
        Commands.check("wg", "set", iface, "peer", b.base64(), "allowed-ips", "10.210.2.0/24,10.210.22.0/24");
        assertThat(client.get().peer(b).orElseThrow().allowedIps())
                .containsExactlyInAnyOrder("10.210.2.0/24", "10.210.22.0/24");

        // Touching one peer leaves the other alone; removing one leaves the other.
        client.set(DeviceUpdate.peer(PeerUpdate.remove("node-b", b)));
        assertThat(client.get().peers()).extracting(PeerState::publicKey).containsExactly(c);
    }

    @Test
    void aPortInUseIsAnErrorNamingListenPort() throws Exception {
        try (DatagramSocket taken = netns.call(() -> new DatagramSocket(new InetSocketAddress("0.0.0.0", 0)))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() ->
                            client.set(new DeviceUpdate(Optional.empty(), OptionalInt.of(port), false, List.of())))
                    .isInstanceOfSatisfying(UapiException.class, e -> {
                        assertThat(e.errno()).isEqualTo(98);
                        assertThat(e.getMessage())
                                .contains("listen_port=" + port)
                                .contains("EADDRINUSE");
                    });
        }
    }

    @Test
    void aRefusedPeerLineNamesThePeerAndField() {
        WireguardKey b = WireguardPrivateKey.generate().publicKey();
        // Lines the typed API would never build (it validates CIDRs), sent raw to make the real device refuse one.
        var lines = List.of(
                new UapiLine("public_key", b.hex(), "node-b"),
                new UapiLine("allowed_ip", "10.210.2.0/24", "node-b"),
                new UapiLine("allowed_ip", "10.210.3.0/99", "node-b"));
        assertThatThrownBy(() -> client.set(lines)).isInstanceOfSatisfying(UapiException.class, e -> {
            assertThat(e.peer()).isEqualTo("node-b");
            assertThat(e.field()).isEqualTo("allowed_ip");
            assertThat(e.errno()).isEqualTo(22);
            assertThat(e.getMessage())
                    .isEqualTo(
                            "peer node-b: wireguard-go refused allowed_ip=10.210.3.0/99 (errno=22 EINVAL, invalid value)");
        });
    }
}
