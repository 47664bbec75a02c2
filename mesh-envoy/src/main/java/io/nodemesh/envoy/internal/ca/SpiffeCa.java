package io.nodemesh.envoy.internal.ca;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A small mesh CA on JDK crypto alone: a self-signed P-256 root, and short-lived X.509-SVIDs (a single URI SAN holding
 * the SPIFFE id, no CA bit, signature and key-encipherment usage, server and client auth) for workloads.
 */
public final class SpiffeCa {
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.time.format.DateTimeFormatter ROOT_SUFFIX =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC);

    private final String trustDomain;
    private final Clock clock;
    private final IssuedCertificate root;
    private final String trustBundlePem;
    private final List<X509Certificate> trusted;

    /** A new CA for {@code trustDomain} whose (in-memory) root lives {@code rootLifetime}. */
    public SpiffeCa(String trustDomain, Duration rootLifetime, Clock clock) {
        this(trustDomain, new MeshRoot(newRoot(trustDomain, rootLifetime, clock), List.of()), clock);
    }

    /** A CA for {@code trustDomain} with {@code root} (e.g. the mesh root loaded from files). */
    public SpiffeCa(String trustDomain, MeshRoot root, Clock clock) {
        this.trustDomain = trustDomain;
        this.clock = clock;
        this.root = root.signing();
        this.trustBundlePem = root.trustBundlePem();
        this.trusted = root.trusted();
    }

    /**
     * A self-signed root for {@code trustDomain}. Its common name carries the time it was made, so an old and a new
     * root (both trusted during a rotation) never share a subject name, and leaves name their root's key (AKI), so
     * every TLS stack picks the right one.
     */
    public static IssuedCertificate newRoot(String trustDomain, Duration lifetime, Clock clock) {
        KeyPair keys = newKeyPair();
        Instant now = clock.instant();
        byte[] name = name("nodemesh CA " + trustDomain + " " + ROOT_SUFFIX.format(now));
        byte[] spki = keys.getPublic().getEncoded();
        byte[] extensions = Der.sequence(
                extension("2.5.29.19", true, Der.sequence(Der.bool(true))), // basicConstraints cA
                extension("2.5.29.15", true, Der.bitString(new byte[] {0x06}, 1)), // keyCertSign, cRLSign
                extension("2.5.29.14", false, Der.octetString(keyId(spki))), // subjectKeyIdentifier
                extension(
                        "2.5.29.17",
                        false,
                        Der.sequence(Der.implicitPrimitive(
                                6, // the trust domain's URI
                                ("spiffe://" + trustDomain).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
        return new IssuedCertificate(
                "",
                sign(name, name, spki, now.minusSeconds(60), now.plus(lifetime), extensions, keys.getPrivate()),
                keys.getPrivate());
    }

    public String trustDomain() {
        return trustDomain;
    }

    /** The root new certificates are signed with. */
    public IssuedCertificate root() {
        return root;
    }

    /** Every root a peer's certificate may chain to, as PEM: the signing root and those of a rotation's overlap. */
    public String trustBundlePem() {
        return trustBundlePem;
    }

    /** The roots of {@link #trustBundlePem()}. */
    public List<X509Certificate> trusted() {
        return trusted;
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
                extension("2.5.29.35", false, Der.sequence(Der.implicitPrimitive(0, rootKeyId()))), // AKI
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

    /** The root's key identifier: SHA-1 of its public key bits (RFC 5280 §4.2.1.2, method 1). */
    private byte[] rootKeyId() {
        return keyId(root.certificate().getPublicKey().getEncoded());
    }

    private static byte[] keyId(byte[] spki) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(Der.keyBits(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
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
