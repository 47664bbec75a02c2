package io.nodemesh.envoy.internal.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.envoy.Bootstraps;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files gRPC's file_watcher reads: layout, permissions, a matching pair, switched whole on rotation. */
class WorkloadCredentialFilesTest {
    private static final String ID = "spiffe://cluster.local/ns/shop/sa/web";
    private final SpiffeCa ca = new SpiffeCa("cluster.local", Duration.ofDays(1), Clock.systemUTC());

    @TempDir
    Path root;

    private static X509Certificate cert(Path dir) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(Bootstraps.CERT_FILE))));
    }

    private static PrivateKey key(Path dir) throws Exception {
        String pem = Files.readString(dir.resolve(Bootstraps.KEY_FILE))
                .replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    /** The key signs what the certificate's public key verifies: they are one pair. */
    private static boolean pairMatches(Path dir) throws Exception {
        byte[] data = "nodemesh".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key(dir));
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(cert(dir).getPublicKey());
        v.update(data);
        return v.verify(sig);
    }

    @Test
    void writesAMatchingPairTheTrustBundleAndAPrivateKeyFile() throws Exception {
        var files = new WorkloadCredentialFiles(root);
        Path dir = files.write(ca.issue(ID, Duration.ofHours(1)), ca.root().certificatePem());

        assertThat(dir).isEqualTo(root.resolve("cluster.local+ns+shop+sa+web"));
        assertThat(cert(dir).getSubjectAlternativeNames())
                .anySatisfy(n -> assertThat(n.get(1)).isEqualTo(ID));
        assertThat(pairMatches(dir)).isTrue();
        assertThat(Files.readString(dir.resolve(Bootstraps.CA_FILE)))
                .isEqualTo(ca.root().certificatePem());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(Bootstraps.KEY_FILE))))
                .isEqualTo("rw-------");
        // Read through ..data, the link that is swapped whole.
        assertThat(Files.isSymbolicLink(dir.resolve(Bootstraps.CERT_FILE))).isTrue();
    }

    @Test
    void aNewCertificateReplacesAllThreeAtOnceAndLeavesNoOldVersionBehind() throws Exception {
        var files = new WorkloadCredentialFiles(root);
        IssuedCertificate first = ca.issue(ID, Duration.ofHours(1));
        Path dir = files.write(first, ca.root().certificatePem());
        Path firstVersion = dir.resolve("..data").toRealPath();

        assertThat(files.write(first, ca.root().certificatePem())).isEqualTo(dir);
        assertThat(dir.resolve("..data").toRealPath()).isEqualTo(firstVersion); // unchanged certificate: not rewritten

        IssuedCertificate second = ca.issue(ID, Duration.ofHours(1));
        files.write(second, ca.root().certificatePem());
        assertThat(cert(dir).getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
        assertThat(pairMatches(dir)).isTrue();
        assertThat(firstVersion).doesNotExist();
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("..v")))
                    .hasSize(1);
        }
    }

    @Test
    void identitiesNoLongerKeptLoseTheirFiles() {
        var files = new WorkloadCredentialFiles(root);
        Path web = files.write(ca.issue(ID, Duration.ofHours(1)), ca.root().certificatePem());
        Path db = files.write(
                ca.issue("spiffe://cluster.local/ns/shop/sa/db", Duration.ofHours(1)),
                ca.root().certificatePem());
        files.retain(Set.of(ID));
        assertThat(web.resolve(Bootstraps.CERT_FILE)).exists();
        assertThat(db).doesNotExist();
    }

    @Test
    void grpcBootstrapNamesTheFilesOfTheWorkload() throws Exception {
        Path dir = Bootstraps.workloadCredentialsDir(root, ID);
        @SuppressWarnings("unchecked")
        var json = (java.util.Map<String, ?>) io.grpc.internal.JsonParser.parse(
                Bootstraps.grpcJson("node-a~web", "node-a", "127.0.0.1", 18000, dir, Duration.ofSeconds(30)));
        @SuppressWarnings("unchecked")
        var provider = (java.util.Map<String, ?>)
                ((java.util.Map<String, ?>) json.get("certificate_providers")).get(Bootstraps.CERTIFICATE_PROVIDER);
        assertThat(provider.get("plugin_name")).isEqualTo("file_watcher");
        @SuppressWarnings("unchecked")
        var config = (java.util.Map<String, Object>) provider.get("config");
        assertThat(config)
                .containsEntry("certificate_file", dir.resolve("cert.pem").toString())
                .containsEntry("private_key_file", dir.resolve("key.pem").toString())
                .containsEntry("ca_certificate_file", dir.resolve("ca.pem").toString())
                .containsEntry("refresh_interval", "30s");
        assertThat(json.get("server_listener_resource_name_template"))
                .isEqualTo("grpc/server?xds.resource.listening_address=%s");
        assertThatThrownBy(() -> Bootstraps.workloadCredentialsDir(root, "web"))
                .hasMessageContaining("not a SPIFFE id");
    }
}
