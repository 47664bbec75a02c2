package io.nodemesh.envoy;

/** How the xDS server is reached ({@code envoy.xdsSecurity}). */
public enum XdsSecurity {
    /**
     * Mutual TLS, the default: the server presents a mesh-CA certificate and requires one from each client naming its node
     * ({@code spiffe://<trust domain>/nodemesh/node/<node>}); a client gets only its own node's resources.
     */
    MTLS,
    /**
     * Plain text, no client authentication, every node's resources to anyone: an explicit opt-in for local development,
     * refused unless the server listens on loopback.
     */
    PLAINTEXT
}
