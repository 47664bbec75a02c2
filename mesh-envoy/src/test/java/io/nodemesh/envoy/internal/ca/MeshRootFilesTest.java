package io.nodemesh.envoy.internal.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.envoy.MovableClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mesh root as files: generated once with a private key file, reused, rotated with an overlap, bad files named. */
class MeshRootFilesTest {
    private static final String TD = "cluster.local";
    private static final String ID = "spiffe://" + TD + "/ns/shop/sa/web";
    private final MovableClock clock = new MovableClock();

    @TempDir
    Path dir;

    @Test
    void generatesARootOnceWithAnOwnerOnlyKeyAndReusesItAfterwards() throws Exception {
        MeshRoot first = MeshRootFiles.loadOrCreate(dir, TD, clock);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(MeshRootFiles.KEY))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");

        MeshRoot again = MeshRootFiles.loadOrCreate(dir, TD, clock); // a restart
        assertThat(again.signing().certificate()).isEqualTo(first.signing().certificate());
        assertThat(again.signing().key().getEncoded())
                .isEqualTo(first.signing().key().getEncoded());

        // A leaf issued before the restart verifies under the root loaded after it.
        IssuedCertificate leaf = new SpiffeCa(TD, first, clock).issue(ID, Duration.ofHours(1));
        validate(leaf.certificate(), new SpiffeCa(TD, again, clock).trustBundlePem());
    }

    @Test
    void rotationTrustsBothRootsDuringTheOverlapAndSignsWithTheNewOne() throws Exception {
        MeshRoot old = MeshRootFiles.loadOrCreate(dir, TD, clock);
        IssuedCertificate oldLeaf = new SpiffeCa(TD, old, clock).issue(ID, Duration.ofHours(1));

        clock.now = clock.now.plusSeconds(5); // a root name of its own
        MeshRoot rotated = MeshRootFiles.rotate(dir, TD, clock);
        assertThat(rotated.signing().certificate()).isNotEqualTo(old.signing().certificate());
        assertThat(rotated.trusted())
                .containsExactly(rotated.signing().certificate(), old.signing().certificate());
        assertThat(rotated.signing().certificate().getSubjectX500Principal())
                .isNotEqualTo(old.signing().certificate().getSubjectX500Principal());

        SpiffeCa ca = new SpiffeCa(TD, rotated, clock);
        IssuedCertificate newLeaf = ca.issue(ID, Duration.ofHours(1));
        newLeaf.certificate().verify(rotated.signing().certificate().getPublicKey());
        assertThat(newLeaf.certificate().getIssuerX500Principal())
                .isEqualTo(rotated.signing().certificate().getSubjectX500Principal());
        validate(newLeaf.certificate(), ca.trustBundlePem());
        validate(oldLeaf.certificate(), ca.trustBundlePem()); // the overlap

        // A restart mid-overlap loads the same two roots.
        assertThat(MeshRootFiles.load(dir, clock).trusted()).isEqualTo(rotated.trusted());

        // Overlap over: the previous root's leaves are no longer trusted.
        Files.delete(dir.resolve(MeshRootFiles.TRUSTED));
        String after = new SpiffeCa(TD, MeshRootFiles.load(dir, clock), clock).trustBundlePem();
        validate(newLeaf.certificate(), after);
        assertThatThrownBy(() -> validate(oldLeaf.certificate(), after)).isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void aKeyOthersCanReadIsRefusedNamingTheFile() throws Exception {
        MeshRootFiles.loadOrCreate(dir, TD, clock);
        Path key = dir.resolve(MeshRootFiles.KEY);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MeshRootFiles.loadOrCreate(dir, TD, clock))
                .isInstanceOf(CaFileException.class)
                .hasMessage(key + " has mode rw-r--r--; a CA key must be readable by its owner only (chmod 600 " + key
                        + ")");
    }

    @Test
    void aKeyOfAnotherRootIsAMismatch() throws Exception {
        MeshRootFiles.loadOrCreate(dir, TD, clock);
        Path other = Files.createDirectory(dir.resolve("other"));
        MeshRootFiles.loadOrCreate(other, TD, clock);
        Files.copy(
                other.resolve(MeshRootFiles.KEY),
                dir.resolve(MeshRootFiles.KEY),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> MeshRootFiles.load(dir, clock))
                .isInstanceOf(CaFileException.class)
                .hasMessage(dir.resolve(MeshRootFiles.KEY) + " is not the key of the certificate in "
                        + dir.resolve(MeshRootFiles.CERT));
    }

    @Test
    void aMissingHalfIsNotReplacedByANewRoot() throws Exception {
        MeshRootFiles.loadOrCreate(dir, TD, clock);
        Files.delete(dir.resolve(MeshRootFiles.KEY));
        assertThatThrownBy(() -> MeshRootFiles.loadOrCreate(dir, TD, clock))
                .isInstanceOf(CaFileException.class)
                .hasMessageStartingWith(dir.resolve(MeshRootFiles.KEY) + " is missing but ");
        assertThat(dir.resolve(MeshRootFiles.KEY)).doesNotExist();
    }

    @Test
    void malformedFilesAreNamed() throws Exception {
        MeshRootFiles.loadOrCreate(dir, TD, clock);
        Path key = dir.resolve(MeshRootFiles.KEY);
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> MeshRootFiles.load(dir, clock))
                .isInstanceOf(CaFileException.class)
                .hasMessageStartingWith(key + " holds a EC PRIVATE KEY block; nodemesh reads PKCS#8");
        Files.writeString(key, "not a key");
        assertThatThrownBy(() -> MeshRootFiles.load(dir, clock)).hasMessage(key + " holds no PEM PRIVATE KEY block");
        Path cert = dir.resolve(MeshRootFiles.CERT);
        Files.writeString(cert, "garbage");
        assertThatThrownBy(() -> MeshRootFiles.load(dir, clock)).hasMessage(cert + " holds no PEM CERTIFICATE block");
    }

    @Test
    void aLeafCertificateIsNotARoot() throws Exception {
        MeshRoot root = MeshRootFiles.loadOrCreate(dir, TD, clock);
        IssuedCertificate leaf = new SpiffeCa(TD, root, clock).issue(ID, Duration.ofHours(1));
        Files.writeString(dir.resolve(MeshRootFiles.CERT), leaf.certificatePem());
        assertThatThrownBy(() -> MeshRootFiles.load(dir, clock))
                .hasMessage(dir.resolve(MeshRootFiles.CERT) + " is not a CA certificate");
    }

    /** PKIX path validation of {@code leaf} against every root in {@code bundlePem}, at the test clock's time. */
    private void validate(X509Certificate leaf, String bundlePem) throws Exception {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> roots =
                f.generateCertificates(new ByteArrayInputStream(bundlePem.getBytes(StandardCharsets.US_ASCII)));
        Set<TrustAnchor> anchors = roots.stream()
                .map(c -> new TrustAnchor((X509Certificate) c, null))
                .collect(Collectors.toSet());
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        params.setDate(java.util.Date.from(clock.now.plusSeconds(1)));
        CertPathValidator.getInstance("PKIX").validate(f.generateCertPath(List.of(leaf)), params);
    }
}
