package io.nodemesh.xds.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.xds.client.TlsFilesConfig;
import io.nodemesh.xds.client.XdsCredentialsConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files behind the credentials: read once at creation with errors naming key and path, re-read at a handshake only
 * once the refresh interval has passed, and a bad rewrite keeps the previous certificate.
 */
class ReloadingTlsMaterialTest {
    private static final String NODE_A = "spiffe://mesh.test/nodemesh/node/node-a";

    @TempDir
    Path tmp;

    private TestPki pki;
    private Path a;
    private Instant now = Instant.parse("2026-12-07T12:00:00Z");
    private final InstantSource clock = () -> now;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(tmp);
        a = pki.leaf("node-a", NODE_A);
    }

    private TlsFilesConfig config(Path dir) {
        return new TlsFilesConfig(dir.resolve("cert.pem"), dir.resolve("key.pem"), pki.ca(), Duration.ofSeconds(5));
    }

    @Test
    void aNodeCertificateIsReadWithTheNodeItNames() {
        var files = new ReloadingTlsMaterial(config(a), clock);
        TlsMaterial m = files.current().material();
        assertThat(m.node()).isEqualTo(new TlsMaterial.NodeId("mesh.test", "node-a"));
        assertThat(m.chain()).hasSize(1);
        assertThat(XdsServerTrust.expected(m.node()))
                .containsExactly(
                        "spiffe://mesh.test/nodemesh/xds/node-a", "spiffe://mesh.test/nodemesh/xds/control-plane");
    }

    @Test
    void unusableFileContentsNameTheKeyAndThePath() throws Exception {
        Path cert = a.resolve("cert.pem"), key = a.resolve("key.pem");
        Path other = pki.leaf("other", NODE_A);
        Files.copy(other.resolve("key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> new ReloadingTlsMaterial(config(a), clock))
                .isInstanceOf(XdsCredentialsConfigException.class)
                .hasMessage("channel_creds \"tls\" config: private_key_file " + key
                        + " is not the key of the certificate in certificate_file " + cert);

        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new ReloadingTlsMaterial(config(a), clock))
                .hasMessage("channel_creds \"tls\" config: private_key_file " + key
                        + ": no PKCS#8 key (-----BEGIN PRIVATE KEY-----) in it; convert it with: openssl pkcs8 -topk8"
                        + " -nocrypt -in " + key);

        Files.writeString(cert, "not a certificate\n");
        assertThatThrownBy(() -> new ReloadingTlsMaterial(config(a), clock))
                .hasMessageStartingWith("channel_creds \"tls\" config: certificate_file " + cert + ":");
    }

    @Test
    void filesAreReReadOnlyAfterTheRefreshIntervalAndABadRewriteKeepsThePreviousOnes() throws Exception {
        var files = new ReloadingTlsMaterial(config(a), clock);
        var first = files.current();

        Path rotated = pki.leaf("rotated", NODE_A);
        Files.copy(rotated.resolve("cert.pem"), a.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(rotated.resolve("key.pem"), a.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
        now = now.plusSeconds(4);
        assertThat(files.current()).as("within the refresh interval").isSameAs(first);
        now = now.plusSeconds(1);
        var second = files.current();
        assertThat(second.alias()).isNotEqualTo(first.alias());
        assertThat(second.material().chain().getFirst())
                .isNotEqualTo(first.material().chain().getFirst());
        assertThat(files.byAlias(first.alias()))
                .as("a handshake that began before")
                .isSameAs(first);

        Files.writeString(a.resolve("key.pem"), "half written");
        now = now.plusSeconds(5);
        assertThat(files.current()).as("an unusable rewrite is ignored").isSameAs(second);
        assertThat(files.reload()).isFalse();
    }
}
