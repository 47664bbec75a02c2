package io.nodemesh.xds.client;

/**
 * A {@code channel_creds} config that cannot be used: the message names the key and, for a file, its path, e.g.
 * {@code channel_creds "tls" config: certificate_file /etc/nodemesh/xds+node-a/cert.pem: no such file}.
 */
public final class XdsCredentialsConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public XdsCredentialsConfigException(String problem) {
        super("channel_creds \"tls\" config: " + problem);
    }

    public XdsCredentialsConfigException(String problem, Throwable cause) {
        super("channel_creds \"tls\" config: " + problem, cause);
    }
}
