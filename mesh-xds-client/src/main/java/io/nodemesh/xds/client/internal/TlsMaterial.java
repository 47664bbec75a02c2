package io.nodemesh.xds.client.internal;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One consistent reading of the files: the client's chain and key (empty and null without a client certificate), the
 * roots' trust manager, and the node the client certificate names (null if it names none), which decides the server
 * identity to expect.
 */
record TlsMaterial(List<X509Certificate> chain, PrivateKey key, X509ExtendedTrustManager roots, NodeId node) {
    TlsMaterial {
        chain = List.copyOf(chain);
    }

    /** {@code spiffe://<trustDomain>/nodemesh/node/<name>}. */
    record NodeId(String trustDomain, String name) {}
}
