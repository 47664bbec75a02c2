package io.nodemesh.envoy.internal.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;

/**
 * A certificate the mesh CA issued, with its key.
 *
 * @param spiffeId    the identity in its URI SAN (empty for the CA itself)
 * @param certificate the certificate
 * @param key         its private key
 */
public record IssuedCertificate(String spiffeId, X509Certificate certificate, PrivateKey key) {
    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public String certificatePem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("certificate of " + spiffeId + " cannot be encoded", e);
        }
    }

    /** PKCS#8, which Envoy and gRPC both read. */
    public String keyPem() {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
