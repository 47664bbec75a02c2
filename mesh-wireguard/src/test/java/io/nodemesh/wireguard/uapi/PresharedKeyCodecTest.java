package io.nodemesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.wireguard.PresharedKey;
import io.nodemesh.wireguard.PresharedSecret;
import io.nodemesh.wireguard.WireguardKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PresharedKeyCodecTest {
    private static final WireguardKey PEER = WireguardKey.parse("IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=");
    private static final WireguardKey OWN = WireguardKey.parse("ERERERERERERERERERERERERERERERERERERERERERE=");

    private static PresharedKey psk() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile(
                "psk",
                ".secret",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try {
            java.nio.file.Files.write(f, new byte[32]);
            return PresharedSecret.load(f).pskFor(OWN, PEER);
        } finally {
            java.nio.file.Files.delete(f);
        }
    }

    @Test
    void upsertWithAPresharedKeySendsItInHexAndNeverPrintsIt() throws Exception {
        PresharedKey psk = psk();
        var update = PeerUpdate.upsert(
                "node-b",
                PEER,
                new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 51820),
                0,
                List.of("10.1.0.0/24"),
                Optional.of(psk));
        String text = UapiCodec.request("set", UapiCodec.encode(DeviceUpdate.peer(update)));
        assertThat(text)
                .contains("public_key=" + PEER.hex() + "\n")
                .contains("preshared_key=" + psk.revealHex() + "\n");
        assertThat(text.indexOf("preshared_key="))
                .isGreaterThan(text.indexOf("public_key="))
                .isLessThan(text.indexOf("allowed_ip="));
        assertThat(update.toString()).contains("preshared_key=<redacted>").doesNotContain(psk.revealHex());
    }

    @Test
    void withoutAPresharedKeyNoLineIsSent() throws Exception {
        var update = PeerUpdate.upsert(
                "node-b", PEER, new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 51820), 0, List.of());
        assertThat(UapiCodec.request("set", UapiCodec.encode(DeviceUpdate.peer(update))))
                .doesNotContain("preshared_key");
    }

    @Test
    void getReportsWhetherAPeerHasAPresharedKeyOnly() {
        String reply = "listen_port=51820\npublic_key=" + PEER.hex() + "\npreshared_key=" + "ab".repeat(32)
                + "\npublic_key=" + OWN.hex() + "\npreshared_key=" + "0".repeat(64) + "\nerrno=0\n";
        DeviceState d = UapiCodec.decodeGet(reply);
        assertThat(d.peer(PEER))
                .get()
                .satisfies(p -> assertThat(p.hasPresharedKey()).isTrue());
        assertThat(d.peer(OWN))
                .get()
                .satisfies(p -> assertThat(p.hasPresharedKey()).isFalse());
        assertThat(d.toString()).doesNotContain("ab".repeat(32));
    }
}
