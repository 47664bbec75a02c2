package io.nodemesh.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.nodemesh.contract.Privileges;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WireguardKeyTest {
    @Test
    void derivesThePublicKeyOfRfc7748Vector() {
        // RFC 7748 section 6.1, Alice: the scalar is clamped on use, so the clamped and unclamped forms agree.
        var alice = WireguardPrivateKey.fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        assertThat(alice.publicKey().hex())
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        var bob = WireguardPrivateKey.fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertThat(bob.publicKey().hex()).isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    }

    @Test
    void storedFormIsClampedLikeWgGenkey() {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) 0xff);
        var key = WireguardPrivateKey.fromHex(HexFormat.of().formatHex(raw));
        byte[] stored = HexFormat.of().parseHex(key.revealHex());
        assertThat(stored[0] & 7).isZero();
        assertThat(stored[31] & 0x80).isZero();
        assertThat(stored[31] & 0x40).isEqualTo(0x40);
    }

    @Test
    void agreesWithWgPubkey() throws Exception {
        assumeThat(Privileges.onPath("wg")).as("wg (wireguard-tools) installed").isTrue();
        for (int i = 0; i < 5; i++) {
            var key = WireguardPrivateKey.generate();
            Process p = new ProcessBuilder("wg", "pubkey").start();
            p.getOutputStream().write((key.revealBase64() + "\n").getBytes());
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.waitFor()).isZero();
            assertThat(out).isEqualTo(key.publicKey().base64());
        }
    }

    @Test
    void readsWgGenkeyOutput() throws Exception {
        assumeThat(Privileges.onPath("wg")).as("wg (wireguard-tools) installed").isTrue();
        Process p = new ProcessBuilder("wg", "genkey").start();
        String genkey = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(WireguardPrivateKey.parse(genkey).revealBase64()).isEqualTo(genkey);
    }

    @Test
    void privateKeyNeverPrintsItself() {
        var key = WireguardPrivateKey.generate();
        assertThat(key.toString())
                .contains("redacted")
                .doesNotContain(key.revealBase64())
                .doesNotContain(key.revealHex())
                .contains(key.publicKey().base64());
    }

    @Test
    void malformedKeysAreRejectedWithTheReason() {
        assertThatThrownBy(() -> WireguardKey.parse("not-a-key")).hasMessageContaining("public key");
        assertThatThrownBy(() -> WireguardKey.parse("AAAA")).hasMessageContaining("3 bytes, expected 32");
        assertThatThrownBy(() -> WireguardKey.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> WireguardKey.fromHex("zz")).hasMessageContaining("64 characters");
        String secret = "c".repeat(43) + "!";
        assertThatThrownBy(() -> WireguardPrivateKey.parse(secret))
                .hasMessageContaining("private key")
                .message()
                .doesNotContain(secret);
    }

    @Property(tries = 50)
    void base64AndHexRoundTrip(@ForAll @Size(32) byte[] raw) {
        WireguardKey key = WireguardKey.ofBytes(raw);
        assertThat(WireguardKey.parse(key.base64())).isEqualTo(key);
        assertThat(WireguardKey.fromHex(key.hex())).isEqualTo(key);
        assertThat(key.base64()).hasSize(44);
    }

    @Property(tries = 20)
    void privateKeyRoundTripKeepsThePublicKey(@ForAll @Size(32) byte[] raw) {
        var key = WireguardPrivateKey.fromHex(HexFormat.of().formatHex(raw));
        var again = WireguardPrivateKey.parse(key.revealBase64());
        assertThat(again).isEqualTo(key);
        assertThat(again.publicKey()).isEqualTo(key.publicKey());
    }
}
