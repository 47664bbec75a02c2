package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.netlab.Commands;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.testing.Await;
import io.nodemesh.wireguard.testing.EchoClient;
import io.nodemesh.wireguard.testing.MeshTopology;
import io.nodemesh.wireguard.testing.UnderlayCapture;
import io.nodemesh.wireguard.testing.WireguardNodes;
import io.nodemesh.wireguard.uapi.PeerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Preshared keys between two real wireguard-go nodes: a shared mesh secret gives both ends the same per-pair key and
 * traffic flows; different secrets never complete a handshake and nothing crosses in clear; a changed secret file is
 * picked up on the next apply; a bad secret file is refused and the previous configuration keeps serving.
 */
class PresharedKeyRootTest {
    private WireguardNodes nodes;
    private MeshTopology topo;

    @BeforeEach
    void setUp() throws IOException {
        WireguardNodes.require("wg", "wireguard-tools", "dumpcap", "wireshark-common");
        nodes = WireguardNodes.create(2);
        topo = nodes.topology();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (nodes != null) nodes.close();
    }

    private Path secretFile(String name) throws IOException {
        Path f = topo.keyDir().resolve(name);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Files.write(f, secret);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private void open(Path... secrets) throws IOException {
        nodes.open((node, base) -> base.with(WireguardSettings.PRESHARED_SECRET_FILE, secrets[node - 1].toString()));
    }

    private WireguardDataplane dp(int i) {
        return nodes.dp(i);
    }

    private MeshState state() {
        var b = MeshState.builder()
                .encryption(
                        new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.PERMISSIVE, ""));
        for (int i = 1; i <= 2; i++)
            b.node(topo.meshNode(i).withWireguardPublicKey(dp(i).publicKey().base64()));
        return b.build();
    }

    private void applyAll() {
        MeshState s = state();
        for (WireguardDataplane dp : nodes.dataplanes()) dp.apply(s);
    }

    private void awaitReachable() {
        assertThat(Await.until(() -> EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(2), 3000), 40))
                .as("pod 1 reaches pod 2")
                .isTrue();
    }

    private PeerState peerOf(int on, int peer) {
        return dp(on).device().peer(dp(peer).publicKey()).orElseThrow();
    }

    /** The preshared key {@code wg} (an independent UAPI client) reads for the peer: compared, never printed. */
    private String wgPresharedKey(int on, int peer) {
        for (String line :
                Commands.check("wg", "show", topo.wgIface(on), "preshared-keys").split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2 && f[0].equals(dp(peer).publicKey().base64())) return f[1];
        }
        return "(missing)";
    }

    @Test
    void aSharedSecretGivesBothEndsTheSameKeyTrafficFlowsAndABadSecretFileChangesNothing() throws Exception {
        Path secret = secretFile("mesh.secret");
        open(secret, secret);
        applyAll();
        awaitReachable();
        assertThat(peerOf(1, 2).hasPresharedKey())
                .as("node-1's peer node-2 has a preshared key")
                .isTrue();
        assertThat(peerOf(2, 1).hasPresharedKey()).isTrue();
        assertThat(peerOf(1, 2).hasHandshake()).isTrue();
        String psk12 = wgPresharedKey(1, 2);
        assertThat(psk12.length() == 44 && !psk12.equals("(none)"))
                .as("wg reports a preshared key on node-1")
                .isTrue();
        assertThat(psk12.equals(wgPresharedKey(2, 1)))
                .as("both ends hold the same preshared key")
                .isTrue();

        // Bad secret files: refused naming the option and file; the device and its session keep serving.
        var handshake = peerOf(1, 2).lastHandshake();
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> dp(1).apply(state()))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("wireguard.presharedSecretFile " + secret)
                .hasMessageContaining("chmod 600")
                .hasMessageContaining("previous state keeps serving");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        byte[] kept = Files.readAllBytes(secret);
        Files.write(secret, new byte[31]);
        assertThatThrownBy(() -> dp(1).apply(state()))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("wireguard.presharedSecretFile " + secret)
                .hasMessageContaining("expected 32 bytes");
        assertThat(psk12.equals(wgPresharedKey(1, 2)))
                .as("preshared key unchanged after refused applies")
                .isTrue();
        assertThat(peerOf(1, 2).lastHandshake()).isEqualTo(handshake);
        awaitReachable();
        Files.write(secret, kept);

        // Rotation: both public keys go into every pair's key, so it changes, on both ends alike.
        dp(2).rotateKey();
        applyAll();
        awaitReachable();
        assertThat(wgPresharedKey(1, 2).equals(psk12))
                .as("rotation changed the pair's preshared key")
                .isFalse();
        assertThat(wgPresharedKey(1, 2).equals(wgPresharedKey(2, 1)))
                .as("both ends agree after rotation")
                .isTrue();

        // A secret file that cannot be read refuses open, before any process starts.
        assertThatThrownBy(() -> Dataplanes.open(
                        "wireguard",
                        topo.options(1)
                                .with(WireguardSettings.INTERFACE, topo.wgIface(9))
                                .with(
                                        WireguardSettings.PRESHARED_SECRET_FILE,
                                        topo.keyDir().resolve("absent").toString())))
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("wireguard.presharedSecretFile")
                .hasMessageContaining("absent");
    }

    @Test
    void differentSecretsNeverCompleteAHandshakeNothingLeaksAndAChangedSecretFileIsPickedUp() throws Exception {
        Path secret1 = secretFile("node-1.secret");
        Path secret2 = secretFile("node-2.secret");
        open(secret1, secret2);
        applyAll();
        String marker = "NODEMESH-MARKER-" + UUID.randomUUID();
        UnderlayCapture capture = UnderlayCapture.start(
                topo.underlayNs(),
                MeshTopology.UNDERLAY_BRIDGE,
                new UnderlayCapture.FlushProbe(topo.nodeNs(1), "10.211.0.255"));
        try (capture) {
            // UDP, so the marker is handed to the tunnel at once, without waiting for a TCP handshake that cannot
            // complete.
            for (int i = 0; i < 3; i++) {
                Commands.check(
                        "ip",
                        "netns",
                        "exec",
                        topo.podNs(1),
                        "bash",
                        "-c",
                        "echo " + marker + " > /dev/udp/" + MeshTopology.podIp(2) + "/9999");
            }
            assertThat(EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(2), 6000))
                    .as("pod 1 reaches pod 2 across mismatched keys")
                    .isFalse();
            var packets = capture.stop();
            assertThat(capture.contains(marker)).as("marker in clear").isFalse();
            assertThat(packets)
                    .as("handshake initiations to node-2 on the underlay")
                    .anyMatch(p -> p.isUdp() && p.dst().equals(MeshTopology.nodeAddress(2)) && p.dstPort() == 51820);
            assertThat(packets)
                    .filteredOn(p -> !(p.protocol() == 2 && p.dst().startsWith("224.0.0.")))
                    .allSatisfy(p -> assertThat(p.isUdp() && p.srcPort() == 51820 && p.dstPort() == 51820)
                            .as("%s -> %s", p.src(), p.dst())
                            .isTrue());
        }
        assertThat(peerOf(1, 2).hasHandshake())
                .as("handshake with mismatched preshared keys")
                .isFalse();
        assertThat(peerOf(2, 1).hasHandshake()).isFalse();

        // Give node-2 node-1's secret: the next apply derives the matching key and the session comes up.
        Path tmp = Files.createTempFile(
                topo.keyDir(),
                "s",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, Files.readAllBytes(secret1));
        Files.move(
                tmp,
                secret2,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        dp(2).apply(state());
        awaitReachable();
        assertThat(peerOf(1, 2).hasHandshake()).isTrue();
    }
}
