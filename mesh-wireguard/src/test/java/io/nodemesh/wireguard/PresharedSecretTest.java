package io.nodemesh.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresharedSecretTest {
    private static final WireguardKey A = WireguardKey.parse("ERERERERERERERERERERERERERERERERERERERERERE=");
    private static final WireguardKey B = WireguardKey.parse("IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=");
    private static final WireguardKey C = WireguardPrivateKey.generate().publicKey();

    @TempDir
    Path dir;

    private static byte[] counting() {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) b[i] = (byte) i;
        return b;
    }

    @Test
    void derivationMatchesAnIndependentComputation() {
        // Computed with Python's hmac/hashlib: HKDF-SHA256(ikm = 00..1f, salt = none,
        // info = "nodemesh wg psk" || 0x11*32 || 0x22*32), 32 bytes. Pins the info layout and the key order.
        assertThat(PresharedSecret.ofBytes(counting()).pskFor(B, A).revealHex())
                .isEqualTo("2efaef52969b0e219b75dedce1eada5fac2564c68961f361bc805c9efb611d4d");
    }

    @Test
    void bothEndsOfAPairDeriveTheSameKeyAndOtherPairsOrSecretsDiffer() {
        PresharedSecret s = PresharedSecret.ofBytes(counting());
        assertThat(s.pskFor(A, B)).isEqualTo(s.pskFor(B, A));
        assertThat(s.pskFor(A, C)).isNotEqualTo(s.pskFor(A, B));
        byte[] other = counting();
        other[31] ^= 1;
        assertThat(PresharedSecret.ofBytes(other).pskFor(A, B)).isNotEqualTo(s.pskFor(A, B));
    }

    @Test
    void neverPrints() {
        PresharedSecret s = PresharedSecret.ofBytes(counting());
        assertThat(s.toString()).isEqualTo("PresharedSecret[redacted]");
        assertThat(s.pskFor(A, B).toString())
                .isEqualTo("PresharedKey[redacted]")
                .doesNotContain(s.pskFor(A, B).revealHex());
    }

    private Path write(String name, byte[] content, String mode) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void loadsRawBytesOrWgGenpskBase64() throws IOException {
        PresharedSecret raw = PresharedSecret.load(write("raw", counting(), "rw-------"));
        PresharedSecret b64 = PresharedSecret.load(
                write("b64", (Base64.getEncoder().encodeToString(counting()) + "\n").getBytes(), "r--------"));
        assertThat(raw.pskFor(A, B))
                .isEqualTo(b64.pskFor(A, B))
                .isEqualTo(PresharedSecret.ofBytes(counting()).pskFor(A, B));
    }

    @Test
    void badFilesAreRefusedNamingTheOptionAndTheFileButNotTheContent() throws IOException {
        Path open = write("open", counting(), "rw-r--r--");
        assertThatThrownBy(() -> PresharedSecret.load(open))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("wireguard.presharedSecretFile " + open)
                .hasMessageContaining("chmod 600");
        Path shortFile = write("short", new byte[31], "rw-------");
        assertThatThrownBy(() -> PresharedSecret.load(shortFile))
                .hasMessageStartingWith("wireguard.presharedSecretFile " + shortFile)
                .hasMessageContaining("expected 32 bytes")
                .hasMessageContaining("31");
        String notBase64 = "!".repeat(44);
        Path garbage = write("garbage", notBase64.getBytes(), "rw-------");
        assertThatThrownBy(() -> PresharedSecret.load(garbage))
                .hasMessageContaining("expected 32 bytes")
                .hasMessageNotContaining(notBase64);
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> PresharedSecret.load(missing))
                .hasMessageStartingWith("wireguard.presharedSecretFile " + missing)
                .hasMessageContaining("no such file");
        Path directory = Files.createDirectory(
                dir.resolve("adir"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertThatThrownBy(() -> PresharedSecret.load(directory))
                .hasMessageStartingWith("wireguard.presharedSecretFile " + directory);
    }
}
