package io.nodemesh.xds.client;

import io.grpc.ChannelCredentials;
import io.nodemesh.xds.client.internal.ReloadingTlsMaterial;

/**
 * TLS channel credentials over {@link TlsFilesConfig}'s files, as the bootstrap's {@code "tls"} channel creds get them,
 * for a caller building a channel to a nodemesh xDS server itself.
 * <p>
 * The files are re-read at a new connection once the refresh interval has passed; a rotation that leaves them
 * unreadable or inconsistent (a key that does not match the certificate) is logged and the previous material kept.
 * When the client certificate names a nodemesh node ({@code spiffe://<td>/nodemesh/node/<node>}), the server must
 * present {@code spiffe://<td>/nodemesh/xds/<node>} (a node's agent) or {@code spiffe://<td>/nodemesh/xds/control-plane}
 * (a cluster-wide control plane) as its URI SAN, and host names are not checked; otherwise the server's host name is
 * checked as usual.
 */
public final class XdsTlsCredentials {
    private XdsTlsCredentials() {}

    /**
     * Credentials reading {@code config}'s files.
     *
     * @throws XdsCredentialsConfigException when a file holds no usable PEM (naming the key and path), or the key does
     *     not match the certificate
     */
    public static ChannelCredentials create(TlsFilesConfig config) {
        return ReloadingTlsMaterial.load(config).credentials();
    }
}
