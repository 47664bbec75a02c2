package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.CircuitBreakers;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.OutlierDetection;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.TcpHealthCheck;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A service's resilience on its clusters, endpoints and connection managers; none of it without resilience. */
class ResilienceTranslationTest {
    private static final HealthCheckSchedule SCHEDULE =
            new HealthCheckSchedule(Duration.ofSeconds(2), Duration.ofMillis(500), 2, 3);

    private static Service.Builder api() {
        return Service.builder("shop", "api")
                .vip("10.96.0.2")
                .tcp(80, 8080, AppProtocol.HTTP)
                .tcp(81, 8081, AppProtocol.GRPC)
                .endpoint(Endpoint.ready("10.0.0.5", ""))
                .layer(ServiceLayer.L7);
    }

    private static Service full() {
        return api().healthCheck(
                        new HttpHealthCheck(80, "/healthz", new HttpHealthCheck.StatusRange(200, 204), SCHEDULE))
                .outlierDetection(new OutlierDetection(5, 0, Duration.ofSeconds(30), 40, Duration.ofSeconds(10)))
                .circuitBreakers(new CircuitBreakers(100, 50, 200, 2))
                .connectTimeout(Duration.ofMillis(250))
                .idleTimeout(Duration.ofMinutes(5))
                .build();
    }

    private static MeshResources translate(Service s, EncryptionSpec.Mode mode) {
        return new MeshTranslator(15001)
                .shared(MeshState.builder()
                        .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                        .service(s)
                        .encryption(new EncryptionSpec(mode, EncryptionSpec.Enforcement.PERMISSIVE, "td.test"))
                        .build());
    }

    private static Map<String, Cluster> clusters(MeshResources r) {
        return r.clusters().stream().collect(Collectors.toMap(Cluster::getName, Function.identity()));
    }

    private static Cluster cluster(MeshResources r, int port) {
        return clusters(r).get(Names.cluster("shop/api", port));
    }

    @Test
    void withoutResilienceClustersAreAsBefore() {
        Cluster c = cluster(translate(api().build(), EncryptionSpec.Mode.NONE), 80);
        assertThat(c.getHealthChecksList()).isEmpty();
        assertThat(c.hasOutlierDetection()).isFalse();
        assertThat(c.hasCircuitBreakers()).isFalse();
        assertThat(c.hasCommonLbConfig()).isFalse();
        assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(5);
        assertThat(c.getTypedExtensionProtocolOptionsCount()).isZero();
    }

    @Test
    void anHttpCheckProbesThePathForTheStatusesOnEveryClusterOfTheService() {
        MeshResources r = translate(full(), EncryptionSpec.Mode.NONE);
        HealthCheck check = cluster(r, 80).getHealthChecks(0);
        assertThat(check.getInterval().getSeconds()).isEqualTo(2);
        assertThat(check.getTimeout().getNanos()).isEqualTo(500_000_000);
        assertThat(check.getHealthyThreshold().getValue()).isEqualTo(2);
        assertThat(check.getUnhealthyThreshold().getValue()).isEqualTo(3);
        assertThat(check.getHttpHealthCheck().getPath()).isEqualTo("/healthz");
        assertThat(check.getHttpHealthCheck().getExpectedStatuses(0).getStart()).isEqualTo(200);
        assertThat(check.getHttpHealthCheck().getExpectedStatuses(0).getEnd()).isEqualTo(205); // exclusive
        assertThat(check.getHttpHealthCheck().getCodecClientType()).isEqualTo(CodecClientType.HTTP1);
        // Port 81's cluster probes the same port 80 (target 8080) through each endpoint's health_check_config.
        assertThat(cluster(r, 81).getHealthChecks(0)).isEqualTo(check);
        Map<String, ClusterLoadAssignment> eds = r.endpoints().stream()
                .collect(Collectors.toMap(ClusterLoadAssignment::getClusterName, Function.identity()));
        var own = eds.get(Names.cluster("shop/api", 80))
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint();
        var other = eds.get(Names.cluster("shop/api", 81))
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint();
        assertThat(own.hasHealthCheckConfig()).isFalse();
        assertThat(other.getHealthCheckConfig().getPortValue()).isEqualTo(8080);
    }

    @Test
    void aTcpCheckOfAGrpcPortAndAnHttpCheckThereSpeakHttp2() {
        MeshResources tcp =
                translate(api().healthCheck(new TcpHealthCheck(81, SCHEDULE)).build(), EncryptionSpec.Mode.NONE);
        assertThat(cluster(tcp, 81).getHealthChecks(0).hasTcpHealthCheck()).isTrue();
        MeshResources http = translate(
                api().healthCheck(new HttpHealthCheck(81, "/", null, SCHEDULE)).build(), EncryptionSpec.Mode.NONE);
        assertThat(cluster(http, 81).getHealthChecks(0).getHttpHealthCheck().getCodecClientType())
                .isEqualTo(CodecClientType.HTTP2);
    }

    @Test
    void outlierDetectionKeepsConnectFailuresApartAndTurnsOffWhatWasNotAsked() {
        Cluster c = cluster(translate(full(), EncryptionSpec.Mode.NONE), 80);
        var o = c.getOutlierDetection();
        assertThat(o.getConsecutive5Xx().getValue()).isEqualTo(5);
        assertThat(o.getSplitExternalLocalOriginErrors()).isTrue();
        assertThat(o.getEnforcingConsecutiveLocalOriginFailure().getValue()).isZero();
        assertThat(o.getEnforcingSuccessRate().getValue()).isZero();
        assertThat(o.getBaseEjectionTime().getSeconds()).isEqualTo(30);
        assertThat(o.getInterval().getSeconds()).isEqualTo(10);
        assertThat(o.getMaxEjectionPercent().getValue()).isEqualTo(40);
        assertThat(c.getCommonLbConfig().getHealthyPanicThreshold().getValue()).isZero();

        var connects = cluster(
                        translate(
                                api().outlierDetection(new OutlierDetection(0, 3, null, 0, null))
                                        .build(),
                                EncryptionSpec.Mode.NONE),
                        80)
                .getOutlierDetection();
        assertThat(connects.getConsecutiveLocalOriginFailure().getValue()).isEqualTo(3);
        assertThat(connects.getEnforcingConsecutive5Xx().getValue()).isZero();
    }

    @Test
    void circuitBreakersAndTimeouts() throws Exception {
        MeshResources r = translate(full(), EncryptionSpec.Mode.NONE);
        Cluster c = cluster(r, 80);
        var t = c.getCircuitBreakers().getThresholds(0);
        assertThat(t.getMaxConnections().getValue()).isEqualTo(100);
        assertThat(t.getMaxPendingRequests().getValue()).isEqualTo(50);
        assertThat(t.getMaxRequests().getValue()).isEqualTo(200);
        assertThat(t.getMaxRetries().getValue()).isEqualTo(2);
        assertThat(c.getConnectTimeout().getNanos()).isEqualTo(250_000_000);

        HttpProtocolOptions http1 = c.getTypedExtensionProtocolOptionsOrThrow(ClusterTranslator.HTTP_PROTOCOL_OPTIONS)
                .unpack(HttpProtocolOptions.class);
        assertThat(http1.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds())
                .isEqualTo(300);
        assertThat(http1.getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
        HttpProtocolOptions grpc = cluster(r, 81)
                .getTypedExtensionProtocolOptionsOrThrow(ClusterTranslator.HTTP_PROTOCOL_OPTIONS)
                .unpack(HttpProtocolOptions.class);
        assertThat(grpc.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
        assertThat(grpc.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds())
                .isEqualTo(300);

        Listener outbound = r.listeners().stream()
                .filter(l -> l.getName().equals(Names.OUTBOUND_LISTENER))
                .findFirst()
                .orElseThrow();
        for (var chain : outbound.getFilterChainsList()) {
            HttpConnectionManager hcm = chain.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
            assertThat(hcm.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds())
                    .isEqualTo(300);
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionSpec.Mode.class)
    void theSchemaCheckAcceptsTheTranslationAndMtlsClustersKeepIt(EncryptionSpec.Mode mode) {
        MeshResources r = translate(full(), mode);
        assertThat(ProtoSchemaCheck.check(r)).isEmpty();
        if (mode == EncryptionSpec.Mode.MTLS) {
            Cluster nodeProxy = clusters(r).get(NodeProxyResources.name(Names.cluster("shop/api", 80)));
            assertThat(nodeProxy.getOutlierDetection()).isEqualTo(cluster(r, 80).getOutlierDetection());
            assertThat(nodeProxy.getHealthChecksList()).isEqualTo(cluster(r, 80).getHealthChecksList());
        }
    }
}
