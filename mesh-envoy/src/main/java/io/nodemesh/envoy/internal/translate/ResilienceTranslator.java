package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.envoyproxy.envoy.type.v3.Percent;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Resilience;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.TcpHealthCheck;
import java.time.Duration;
import java.util.Optional;

/**
 * A service's {@link Resilience} in Envoy's terms, on each of its clusters: {@code health_checks},
 * {@code outlier_detection} (connect failures as local-origin errors, so the two thresholds stay apart),
 * {@code circuit_breakers}, {@code connect_timeout}, and the idle timeout on both sides of the node proxy. A service
 * without resilience translates exactly as before.
 */
final class ResilienceTranslator {
    private ResilienceTranslator() {}

    /** Adds the cluster-side parts to {@code b}, the cluster of port {@code p} of {@code s}. */
    static void cluster(Service s, ServicePort p, Cluster.Builder b) {
        Resilience r = s.resilience();
        if (r.equals(Resilience.NONE)) return;
        if (r.timeouts().connect().isPositive())
            b.setConnectTimeout(duration(r.timeouts().connect()));
        r.healthCheck().ifPresent(h -> b.addHealthChecks(healthCheck(s, h)));
        r.outlierDetection().ifPresent(o -> b.setOutlierDetection(outlierDetection(o)));
        r.circuitBreakers().ifPresent(c -> b.setCircuitBreakers(circuitBreakers(c)));
        if (r.ejects()) {
            // No panic mode: Envoy would spread traffic over every endpoint, dead ones too, once fewer than half are
            // healthy. The eBPF path and the simulator never pick an endpoint out of rotation; neither does this.
            b.setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
                    .setHealthyPanicThreshold(Percent.newBuilder().setValue(0)));
        }
        if (s.l7() && r.timeouts().idle().isPositive()) {
            b.putTypedExtensionProtocolOptions(
                    ClusterTranslator.HTTP_PROTOCOL_OPTIONS,
                    upstreamOptions(p.appProtocol(), r.timeouts().idle()));
        }
    }

    /** The node proxy's downstream idle timeout for an L7 service's connection manager. */
    static HttpConnectionManager idle(Service s, HttpConnectionManager manager) {
        Duration idle = s.resilience().timeouts().idle();
        if (!idle.isPositive()) return manager;
        return manager.toBuilder()
                .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setIdleTimeout(duration(idle)))
                .build();
    }

    /**
     * The backend port a health check probes when it is not the cluster's own target port (then EDS says it in each
     * endpoint's {@code health_check_config}); empty otherwise.
     */
    static Optional<Integer> healthCheckPort(Service s, ServicePort p) {
        return s.resilience()
                .healthCheck()
                .flatMap(h -> s.ports().stream()
                        .filter(q -> q.protocol() == Protocol.TCP && (h.port() == 0 || q.port() == h.port()))
                        .findFirst())
                .map(ServicePort::targetPort)
                .filter(target -> target != p.targetPort());
    }

    private static HealthCheck healthCheck(Service s, io.nodemesh.api.state.HealthCheck check) {
        HealthCheckSchedule schedule = check.schedule();
        var b = HealthCheck.newBuilder()
                .setInterval(duration(schedule.interval()))
                .setTimeout(duration(schedule.timeout()))
                .setHealthyThreshold(UInt32Value.of(schedule.healthyThreshold()))
                .setUnhealthyThreshold(UInt32Value.of(schedule.unhealthyThreshold()));
        switch (check) {
            case TcpHealthCheck tcp -> b.setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance());
            case HttpHealthCheck http -> {
                boolean h2 = s.ports().stream()
                        .filter(q -> q.protocol() == Protocol.TCP && (http.port() == 0 || q.port() == http.port()))
                        .findFirst()
                        .map(q -> q.appProtocol().http2())
                        .orElse(false);
                var probe = HealthCheck.HttpHealthCheck.newBuilder()
                        .setPath(http.path())
                        // Envoy's ranges end before their end; ours include the max.
                        .addExpectedStatuses(Int64Range.newBuilder()
                                .setStart(http.expected().min())
                                .setEnd(http.expected().max() + 1L));
                if (h2) probe.setCodecClientType(CodecClientType.HTTP2);
                b.setHttpHealthCheck(probe);
            }
        }
        return b.build();
    }

    private static OutlierDetection outlierDetection(io.nodemesh.api.state.OutlierDetection o) {
        var b = OutlierDetection.newBuilder()
                // Connect failures are local-origin errors of their own, not 503s counted with the backend's 5xx.
                .setSplitExternalLocalOriginErrors(true)
                .setInterval(duration(o.interval()))
                .setBaseEjectionTime(duration(o.baseEjectionTime()))
                .setMaxEjectionPercent(UInt32Value.of(o.maxEjectionPercent()))
                // Only the detectors asked for: Envoy's success-rate detection is on unless turned off.
                .setEnforcingSuccessRate(UInt32Value.of(0));
        if (o.consecutive5xx() > 0) b.setConsecutive5Xx(UInt32Value.of(o.consecutive5xx()));
        else b.setEnforcingConsecutive5Xx(UInt32Value.of(0));
        if (o.consecutiveConnectFailures() > 0) {
            b.setConsecutiveLocalOriginFailure(UInt32Value.of(o.consecutiveConnectFailures()));
        } else {
            b.setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(0));
        }
        return b.build();
    }

    private static CircuitBreakers circuitBreakers(io.nodemesh.api.state.CircuitBreakers c) {
        return CircuitBreakers.newBuilder()
                .addThresholds(CircuitBreakers.Thresholds.newBuilder()
                        .setPriority(RoutingPriority.DEFAULT)
                        .setMaxConnections(UInt32Value.of(c.maxConnections()))
                        .setMaxPendingRequests(UInt32Value.of(c.maxPendingRequests()))
                        .setMaxRequests(UInt32Value.of(c.maxRequests()))
                        .setMaxRetries(UInt32Value.of(c.maxRetries())))
                .build();
    }

    /** Upstream HTTP options with an idle timeout, in the protocol the port speaks. */
    private static Any upstreamOptions(AppProtocol app, Duration idle) {
        var explicit =
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.newBuilder();
        if (app.http2()) explicit.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
        else explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
        return Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setIdleTimeout(duration(idle)))
                .setExplicitHttpConfig(explicit)
                .build());
    }

    static com.google.protobuf.Duration duration(Duration d) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(d.getSeconds())
                .setNanos(d.getNano())
                .build();
    }
}
