/**
 * Channel credentials for proxyless grpc-java xDS clients of a nodemesh xDS server: the {@code "tls"} type of a
 * bootstrap's {@code channel_creds} with gRFC A65's file config ({@code certificate_file}, {@code private_key_file},
 * {@code ca_certificate_file}, {@code refresh_interval}), which grpc-java's own provider ignores. Having this module on
 * the class or module path is enough: it replaces grpc's {@code "tls"} provider by priority.
 * <p>
 * grpc-java is an automatic module (no module-info of its own), required by its automatic names.
 */
module io.nodemesh.xds.client {
    requires io.grpc;
    requires io.grpc.xds;

    exports io.nodemesh.xds.client;

    provides io.grpc.xds.XdsCredentialsProvider with
            io.nodemesh.xds.client.internal.A65TlsCredentialsProvider;
}
