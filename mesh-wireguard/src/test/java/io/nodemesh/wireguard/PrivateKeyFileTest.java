package io.nodemesh.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void storesOwnerOnlyAndLoadsBack() throws Exception {
        Path file = dir.resolve("keys/node.key");
        var key = WireguardPrivateKey.generate();
        PrivateKeyFile.store(file, key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(PrivateKeyFile.load(file)).isEqualTo(key);
        assertThat(Files.readString(file).strip()).isEqualTo(key.revealBase64());
    }

    @Test
    void replacesAtomicallyLeavingNoTemporaryFile() throws Exception {
        Path file = dir.resolve("node.key");
        PrivateKeyFile.store(file, WireguardPrivateKey.generate());
        var second = WireguardPrivateKey.generate();
        PrivateKeyFile.store(file, second);
        assertThat(PrivateKeyFile.load(file)).isEqualTo(second);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("node.key");
        }
    }

    @Test
    void refusesAKeyFileOthersCanRead() throws Exception {
        Path file = dir.resolve("node.key");
        PrivateKeyFile.store(file, WireguardPrivateKey.generate());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> PrivateKeyFile.load(file))
                .hasMessageContaining("readable by others")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void loadOrCreateGeneratesOnceThenKeeps() {
        Path file = dir.resolve("node.key");
        var first = PrivateKeyFile.loadOrCreate(file);
        assertThat(PrivateKeyFile.loadOrCreate(file)).isEqualTo(first);
    }

    @Test
    void aCorruptFileNamesTheFileNotTheContent() throws Exception {
        Path file = dir.resolve("node.key");
        Files.writeString(file, "garbage-secret", java.nio.charset.StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> PrivateKeyFile.load(file))
                .hasMessageContaining(file.toString())
                .message()
                .doesNotContain("garbage-secret");
    }
}
