package io.nodemesh.api.state;

/**
 * What a TCP service port carries, so the node proxy speaks it to the backends: HTTP/2 and gRPC need HTTP/2 upstream
 * connections, which Envoy does not open unless told. UDP ports are always {@link #TCP} (meaning: no application
 * protocol).
 */
public enum AppProtocol {
    /** Bytes, or HTTP/1.1 when the service is L7: today's behaviour, and the default. */
    TCP,
    /** HTTP/1.1 to the backends. */
    HTTP,
    /** HTTP/2 (cleartext or over the mesh's mTLS) to the backends. */
    HTTP2,
    /** gRPC, which is HTTP/2 to the backends. */
    GRPC;

    /** Whether upstream connections must be HTTP/2. */
    public boolean http2() {
        return this == HTTP2 || this == GRPC;
    }
}
