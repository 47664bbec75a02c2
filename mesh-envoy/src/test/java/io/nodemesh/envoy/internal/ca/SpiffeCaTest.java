package io.nodemesh.envoy.internal.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mesh CA: X.509-SVIDs the JDK itself parses and verifies, and rotation before expiry. */
class SpiffeCaTest {
    private static final String ID = "spiffe://example.org/ns/shop/sa/web";

    @Test
    void issuesSvidsTheJdkVerifiesAgainstTheRoot() throws Exception {
        var clock = new io.nodemesh.envoy.MovableClock();
        var ca = new SpiffeCa("example.org", Duration.ofDays(30), clock);
        X509Certificate root = ca.root().certificate();
        root.verify(root.getPublicKey());
        assertThat(root.getBasicConstraints()).as("the root is a CA").isGreaterThanOrEqualTo(0);
        assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();

        IssuedCertificate svid = ca.issue(ID, Duration.ofHours(1));
        X509Certificate leaf = svid.certificate();
        leaf.verify(root.getPublicKey());
        leaf.checkValidity(java.util.Date.from(clock.now.plusSeconds(60)));
        assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID));
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17"); // SAN critical: the subject is empty
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(svid.notAfter())
                .isEqualTo(clock.now.plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(svid.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void refusesIdentitiesOfAnotherTrustDomain() {
        var ca = new SpiffeCa("example.org", Duration.ofDays(30), new io.nodemesh.envoy.MovableClock());
        assertThatThrownBy(() -> ca.issue("spiffe://evil.org/ns/a/sa/b", Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evil.org");
    }

    @Test
    void certificatesAreRotatedAtHalfLifeWellBeforeExpiry() {
        var clock = new io.nodemesh.envoy.MovableClock();
        var certs = new WorkloadCertificates(
                new SpiffeCa("example.org", Duration.ofDays(30), clock), Duration.ofHours(1), clock);
        IssuedCertificate first = certs.current(ID);
        assertThat(certs.rotationDue()).isFalse();

        clock.now = clock.now.plus(Duration.ofMinutes(20));
        assertThat(certs.current(ID)).as("still young: reused").isSameAs(first);

        clock.now = clock.now.plus(Duration.ofMinutes(15)); // past half of (1h + the minute of back-dating)
        assertThat(certs.rotationDue()).isTrue();
        IssuedCertificate second = certs.current(ID);
        assertThat(second).isNotSameAs(first);
        assertThat(second.certificate().getSerialNumber())
                .isNotEqualTo(first.certificate().getSerialNumber());
        assertThat(first.notAfter())
                .as("the old one is still valid when replaced")
                .isAfter(clock.now);
        assertThat(certs.rotationDue()).isFalse();
    }
}
