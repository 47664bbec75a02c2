package io.nodemesh.envoy.internal.ca;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The mesh CA's root: the one that signs new workload certificates, and the roots that are trusted beside it during a
 * rotation's overlap (the previous root, or the next one before nodes switch to it).
 *
 * @param signing     the root certificate and key new leaves are signed with
 * @param alsoTrusted further roots whose leaves are accepted, never used to sign
 */
public record MeshRoot(IssuedCertificate signing, List<X509Certificate> alsoTrusted) {
    public MeshRoot {
        alsoTrusted = List.copyOf(alsoTrusted);
    }

    /** Every trusted root: the signing one first. */
    public List<X509Certificate> trusted() {
        List<X509Certificate> all = new ArrayList<>();
        all.add(signing.certificate());
        for (X509Certificate c : alsoTrusted) if (!c.equals(signing.certificate())) all.add(c);
        return all;
    }

    /** The trust bundle: every trusted root as concatenated PEM. */
    public String trustBundlePem() {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : trusted()) out.append(IssuedCertificate.pem("CERTIFICATE", encoded(c)));
        return out.toString();
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("a root certificate cannot be encoded", e);
        }
    }
}
