/**
 * nodemesh's per-node Envoy backend: MeshState → xDS (LDS/RDS/CDS/EDS/SDS) served over ADS, a bootstrap generator
 * and a supervisor for the node's Envoy process.
 * <p>
 * java-control-plane, grpc-java and protobuf are automatic modules (no module-info of their own); they are required by
 * their automatic names. Tests run on the class path.
 */
module io.nodemesh.envoy {
    requires transitive io.nodemesh.api;
    requires org.slf4j;
    requires java.net.http;
    requires com.google.protobuf;
    requires com.google.protobuf.util;
    requires io.grpc;
    requires io.grpc.netty.shaded;
    requires io.grpc.stub;
    requires api;
    requires cache;
    requires server;

    exports io.nodemesh.envoy;
    exports io.nodemesh.envoy.supervisor;
    // The operator commands (nodemesh ca) manage the CA files; everyone else reaches them through envoy.caDir.
    exports io.nodemesh.envoy.internal.ca to
            io.nodemesh.agent;

    provides io.nodemesh.api.spi.DataplaneProvider with
            io.nodemesh.envoy.internal.EnvoyProvider;
}
