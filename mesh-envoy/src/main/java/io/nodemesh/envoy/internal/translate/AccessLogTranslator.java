package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig;
import io.nodemesh.envoy.Bootstraps;
import java.util.List;

/**
 * The access loggers of the node Envoy: every L7 request of a service chain and every passthrough TCP connection is
 * reported over Envoy's gRPC access-log service to nodemesh's xDS server (through the bootstrap's xDS cluster), where
 * {@link io.nodemesh.envoy.internal.accesslog.AccessLogReceiver} turns the entries into flow events.
 * <p>
 * Only Envoy-style listeners get them: grpc-java's xDS client never reads an HCM's {@code access_log}
 * ({@code XdsListenerResource} checks only xff hops and IP detection extensions there), so on {@code api_listener}s and
 * gRPC server listeners they would be dead configuration. Every chain shares the same two messages (one log name per
 * kind), so Envoy opens one access-log stream per kind and worker rather than one per service.
 */
public final class AccessLogTranslator {
    /** Log names, sent back in the stream's identifier. */
    public static final String HTTP_LOG = "nodemesh-http";

    public static final String TCP_LOG = "nodemesh-passthrough";

    private static final List<AccessLog> HTTP = List.of(AccessLog.newBuilder()
            .setName("envoy.access_loggers.http_grpc")
            .setTypedConfig(Any.pack(HttpGrpcAccessLogConfig.newBuilder()
                    .setCommonConfig(common(HTTP_LOG))
                    .build()))
            .build());
    private static final List<AccessLog> TCP = List.of(AccessLog.newBuilder()
            .setName("envoy.access_loggers.tcp_grpc")
            .setTypedConfig(Any.pack(TcpGrpcAccessLogConfig.newBuilder()
                    .setCommonConfig(common(TCP_LOG))
                    .build()))
            .build());

    private final boolean enabled;

    /** {@code enabled}: option {@code envoy.accessLog}; off, no chain gets an access logger. */
    public AccessLogTranslator(boolean enabled) {
        this.enabled = enabled;
    }

    /** For the HCM of each service chain of the outbound listener. */
    List<AccessLog> http() {
        return enabled ? HTTP : List.of();
    }

    /** For the outbound listener's passthrough TCP proxy. */
    List<AccessLog> tcp() {
        return enabled ? TCP : List.of();
    }

    private static CommonGrpcAccessLogConfig common(String logName) {
        return CommonGrpcAccessLogConfig.newBuilder()
                .setLogName(logName)
                .setTransportApiVersion(ApiVersion.V3)
                .setGrpcService(GrpcService.newBuilder()
                        .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(Bootstraps.XDS_CLUSTER)))
                .build();
    }
}
