package io.nodemesh.envoy.internal.ca;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A small mesh CA on JDK crypto alone: a self-signed P-256 root, and short-lived X.509-SVIDs (a single URI SAN holding
 * the SPIFFE id, no CA bit, signature and key-encipherment usage, server and client auth) for workloads.
 */
public final class SpiffeCa {
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String trustDomain;
    private final Clock clock;
    private final IssuedCertificate root;

    /** A new CA for {@code trustDomain} whose root lives {@code rootLifetime}. */
    public SpiffeCa(String trustDomain, Duration rootLifetime, Clock clock) {
        this.trustDomain = trustDomain;
        this.clock = clock;
        KeyPair keys = newKeyPair();
        Instant now = clock.instant();
        byte[] name = name("nodemesh CA " + trustDomain);
        byte[] extensions = Der.sequence(
                extension("2.5.29.19", true, Der.sequence(Der.bool(true))), // basicConstraints cA
                extension("2.5.29.15", true, Der.bitString(new byte[] {0x06}, 1)), // keyCertSign, cRLSign
                extension(
                        "2.5.29.17",
                        false,
                        Der.sequence(Der.implicitPrimitive(
                                6, // the trust domain's URI
                                ("spiffe://" + trustDomain).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
        this.root = new IssuedCertificate(
                "",
                sign(
                        name,
                        name,
                        keys.getPublic().getEncoded(),
                        now.minusSeconds(60),
                        now.plus(rootLifetime),
                        extensions,
                        keys.getPrivate()),
                keys.getPrivate());
    }

    public String trustDomain() {
        return trustDomain;
    }

    public IssuedCertificate root() {
        return root;
    }

    /** An X.509-SVID for {@code spiffeId}, valid from a minute ago (clock skew) for {@code lifetime}. */
    public IssuedCertificate issue(String spiffeId, Duration lifetime) {
        if (!spiffeId.startsWith("spiffe://" + trustDomain + "/")) {
            throw new IllegalArgumentException(spiffeId + " is not in trust domain " + trustDomain);
        }
        KeyPair keys = newKeyPair();
        Instant now = clock.instant();
        Instant notAfter = now.plus(lifetime);
        if (notAfter.isAfter(root.notAfter())) notAfter = root.notAfter();
        byte[] extensions = Der.sequence(
                extension("2.5.29.19", true, Der.sequence()), // not a CA
                extension(
                        "2.5.29.15",
                        true,
                        Der.bitString(new byte[] {(byte) 0xa0}, 5)), // digitalSignature, keyEncipherment
                extension("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2"))),
                extension(
                        "2.5.29.17",
                        true,
                        Der.sequence(Der.implicitPrimitive(
                                6, // SAN critical: empty subject
                                spiffeId.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
        X509Certificate cert = sign(
                rootName(),
                Der.sequence(),
                keys.getPublic().getEncoded(),
                now.minusSeconds(60),
                notAfter,
                extensions,
                root.key());
        return new IssuedCertificate(spiffeId, cert, keys.getPrivate());
    }

    private byte[] rootName() {
        return root.certificate().getSubjectX500Principal().getEncoded();
    }

    private static X509Certificate sign(
            byte[] issuer,
            byte[] subject,
            byte[] spki,
            Instant notBefore,
            Instant notAfter,
            byte[] extensions,
            PrivateKey signer) {
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_SHA256));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
                Der.integer(new BigInteger(127, RANDOM).add(BigInteger.ONE)), // positive, ≤ 20 octets
                algorithm,
                issuer,
                Der.sequence(Der.utcTime(notBefore), Der.utcTime(notAfter)),
                subject,
                spki,
                Der.explicit(3, extensions));
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(signer);
            s.update(tbs);
            byte[] der = Der.sequence(tbs, algorithm, Der.bitString(s.sign(), 0));
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK could not sign a certificate with SHA256withECDSA", e);
        }
    }

    private static byte[] name(String commonName) {
        return Der.sequence(
                Der.set(Der.sequence(Der.oid("2.5.4.10"), Der.utf8("nodemesh"))),
                Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(commonName))));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no EC P-256 key generator", e);
        }
    }
}
