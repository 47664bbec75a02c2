package io.nodemesh.xds.client.internal;

import io.nodemesh.xds.client.XdsCredentialsConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM certificates and PKCS#8 keys, with errors naming the config key and the file. JDK only. */
final class PemFiles {
    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {}

    static List<X509Certificate> certificates(String key, Path file, byte[] pem) {
        try {
            List<X509Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).stream()
                            .map(X509Certificate.class::cast)
                            .toList();
            if (certs.isEmpty())
                throw new XdsCredentialsConfigException(key + " " + file + ": no PEM certificate in it");
            return certs;
        } catch (CertificateException e) {
            throw new XdsCredentialsConfigException(
                    key + " " + file + ": not PEM certificates (" + e.getMessage() + ")", e);
        }
    }

    static PrivateKey privateKey(String key, Path file, byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            throw new XdsCredentialsConfigException(key + " " + file
                    + ": no PKCS#8 key (-----BEGIN PRIVATE KEY-----) in it"
                    + (text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN RSA PRIVATE KEY")
                            ? "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file
                            : ""));
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new XdsCredentialsConfigException(key + " " + file + ": its base64 is damaged", e);
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm; try the next
            }
        }
        throw new XdsCredentialsConfigException(key + " " + file + ": not an EC, RSA or Ed25519 PKCS#8 key");
    }

    /** Whether {@code key} belongs to {@code cert}: a signature by one verifies with the other. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "nodemesh key check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
