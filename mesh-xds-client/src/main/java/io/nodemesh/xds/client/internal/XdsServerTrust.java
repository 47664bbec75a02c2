package io.nodemesh.xds.client.internal;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks the xDS server against the current roots. A client holding a nodemesh node certificate expects the server to
 * be that node's agent or the cluster's control plane, named by URI SAN, and checks no host name (nodemesh's server
 * certificates carry SPIFFE ids only); any other client gets the JDK's usual check, host name included.
 */
final class XdsServerTrust extends X509ExtendedTrustManager {
    private final ReloadingTlsMaterial files;

    XdsServerTrust(ReloadingTlsMaterial files) {
        this.files = files;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        TlsMaterial m = files.current().material();
        if (m.node() == null) {
            m.roots().checkServerTrusted(chain, authType, engine);
            return;
        }
        m.roots().checkServerTrusted(chain, authType);
        checkIdentity(m.node(), chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        TlsMaterial m = files.current().material();
        if (m.node() == null) {
            m.roots().checkServerTrusted(chain, authType, socket);
            return;
        }
        m.roots().checkServerTrusted(chain, authType);
        checkIdentity(m.node(), chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        TlsMaterial m = files.current().material();
        m.roots().checkServerTrusted(chain, authType);
        if (m.node() != null) checkIdentity(m.node(), chain[0]);
    }

    /** The ids a client of {@code node} accepts from its xDS server. */
    static List<String> expected(TlsMaterial.NodeId node) {
        String prefix = "spiffe://" + node.trustDomain() + "/nodemesh/xds/";
        return List.of(prefix + node.name(), prefix + "control-plane");
    }

    private static void checkIdentity(TlsMaterial.NodeId node, X509Certificate leaf) throws CertificateException {
        List<String> expected = expected(node);
        List<String> presented = ReloadingTlsMaterial.uris(leaf);
        if (presented.stream().anyMatch(expected::contains)) return;
        throw new CertificateException("the xDS server presents " + (presented.isEmpty() ? "no URI SAN" : presented)
                + "; a client of node " + node.name() + " accepts " + String.join(" or ", expected));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("an xDS client checks no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return files.current().material().roots().getAcceptedIssuers();
    }
}
