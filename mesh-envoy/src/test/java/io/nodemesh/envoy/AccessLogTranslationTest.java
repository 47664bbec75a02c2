package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.internal.ca.SpiffeCa;
import io.nodemesh.envoy.internal.ca.WorkloadCertificates;
import io.nodemesh.envoy.internal.translate.AccessLogTranslator;
import io.nodemesh.envoy.internal.translate.MeshResources;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import io.nodemesh.envoy.internal.translate.Names;
import io.nodemesh.envoy.internal.translate.ProtoSchemaCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node Envoy's access loggers: on every service chain's HCM and on the passthrough TCP proxy of the outbound
 * listener, pointing at the xDS cluster; never on gRPC's api_listeners or server listeners; gone with
 * {@code envoy.accessLog=false}; and valid against Envoy's schema.
 */
class AccessLogTranslationTest {
    private static final MeshState STATE = MeshState.builder()
            .node(nodeA())
            .workload(workload("web", "127.0.0.2"))
            .workload(workload("api", "127.0.0.3"))
            .service(l7("web", "10.96.0.1", 8080, List.of(Endpoint.ready("127.0.0.2", "shop/web"))))
            .service(l7("api", "10.96.0.2", 9090, List.of(Endpoint.ready("127.0.0.3", "shop/api"))))
            .build();

    private static MeshResources nodeResources(MeshTranslator t) {
        var certs = new WorkloadCertificates(
                new SpiffeCa(TD, Duration.ofDays(1), Clock.systemUTC()), Duration.ofHours(1), Clock.systemUTC());
        return t.forNode(STATE, "node-a", t.shared(STATE), certs);
    }

    @Test
    void envoyChainsReportToTheXdsClusterAndGrpcListenersDoNot() throws Exception {
        MeshResources r = nodeResources(new MeshTranslator(15001, new AccessLogTranslator(true)));
        Listener outbound = listener(r, Names.OUTBOUND_LISTENER);

        assertThat(outbound.getFilterChainsList())
                .extracting(FilterChain::getName)
                .containsExactly("web.shop:8080", "api.shop:9090");
        for (FilterChain chain : outbound.getFilterChainsList()) {
            List<AccessLog> logs = hcm(chain.getFilters(0)).getAccessLogList();
            assertThat(logs).extracting(AccessLog::getName).containsExactly("envoy.access_loggers.http_grpc");
            CommonGrpcAccessLogConfig common = logs.getFirst()
                    .getTypedConfig()
                    .unpack(HttpGrpcAccessLogConfig.class)
                    .getCommonConfig();
            assertReportsToXds(common, AccessLogTranslator.HTTP_LOG);
        }
        List<AccessLog> tcp = outbound.getDefaultFilterChain()
                .getFilters(0)
                .getTypedConfig()
                .unpack(TcpProxy.class)
                .getAccessLogList();
        assertThat(tcp).extracting(AccessLog::getName).containsExactly("envoy.access_loggers.tcp_grpc");
        assertReportsToXds(
                tcp.getFirst()
                        .getTypedConfig()
                        .unpack(TcpGrpcAccessLogConfig.class)
                        .getCommonConfig(),
                AccessLogTranslator.TCP_LOG);

        List<Listener> api =
                r.listeners().stream().filter(Listener::hasApiListener).toList();
        assertThat(api)
                .extracting(Listener::getName)
                .containsExactlyInAnyOrder("web.shop:8080", "web.shop", "api.shop:9090", "api.shop");
        for (Listener l : api) {
            assertThat(l.getApiListener()
                            .getApiListener()
                            .unpack(HttpConnectionManager.class)
                            .getAccessLogList())
                    .as(l.getName())
                    .isEmpty();
        }
        List<Listener> servers = r.listeners().stream()
                .filter(l -> l.getName().startsWith("grpc/server"))
                .toList();
        assertThat(servers).hasSize(2);
        for (Listener l : servers) {
            for (FilterChain chain : l.getFilterChainsList())
                assertThat(hcm(chain.getFilters(0)).getAccessLogList())
                        .as(l.getName())
                        .isEmpty();
        }
        assertThat(ProtoSchemaCheck.check(r)).isEmpty();
    }

    @Test
    void accessLogOptionOffRemovesEveryAccessLogger() throws Exception {
        EnvoyOptions off = EnvoyOptions.from(new DataplaneOptions("", Map.of("envoy.accessLog", "false")));
        assertThat(off.accessLog()).isFalse();
        assertThat(EnvoyOptions.from(DataplaneOptions.DEFAULTS).accessLog()).isTrue();

        Listener outbound = listener(
                nodeResources(new MeshTranslator(15001, new AccessLogTranslator(off.accessLog()))),
                Names.OUTBOUND_LISTENER);
        assertThat(outbound.getFilterChainsList())
                .hasSize(2)
                .allSatisfy(chain ->
                        assertThat(hcm(chain.getFilters(0)).getAccessLogList()).isEmpty());
        assertThat(outbound.getDefaultFilterChain()
                        .getFilters(0)
                        .getTypedConfig()
                        .unpack(TcpProxy.class)
                        .getAccessLogList())
                .isEmpty();
    }

    /** The option reaches what the dataplane serves: the outbound listener fetched over ADS, with and without loggers. */
    @Test
    void dataplaneServesTheOutboundListenerAsTheOptionSays() throws Exception {
        for (String value : List.of("true", "false")) {
            try (var dp = new EnvoyDataplane(new DataplaneOptions(
                            "", Map.of("envoy.accessLog", value, "envoy.xdsSecurity", "plaintext")));
                    var ads = new AdsStub(dp.xdsPort(), "node-a~stub")) {
                dp.apply(STATE);
                ads.request(io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL, List.of(), "", "", null);
                Listener outbound = ads.next().getResourcesList().stream()
                        .map(a -> {
                            try {
                                return a.unpack(Listener.class);
                            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                                throw new AssertionError(e);
                            }
                        })
                        .filter(l -> l.getName().equals(Names.OUTBOUND_LISTENER))
                        .findFirst()
                        .orElseThrow();
                int expected = Boolean.parseBoolean(value) ? 1 : 0;
                assertThat(outbound.getFilterChainsList())
                        .as("envoy.accessLog=" + value)
                        .hasSize(2)
                        .allSatisfy(chain -> assertThat(hcm(chain.getFilters(0)).getAccessLogCount())
                                .isEqualTo(expected));
                assertThat(outbound.getDefaultFilterChain()
                                .getFilters(0)
                                .getTypedConfig()
                                .unpack(TcpProxy.class)
                                .getAccessLogCount())
                        .as("envoy.accessLog=" + value)
                        .isEqualTo(expected);
            }
        }
    }

    /** The schema check knows the logger's config type: a broken one is reported by field, not as an unknown type. */
    @Test
    void schemaCheckWalksTheAccessLoggerConfig() {
        Any broken = Any.pack(HttpGrpcAccessLogConfig.newBuilder()
                .setCommonConfig(CommonGrpcAccessLogConfig.newBuilder().setLogName(""))
                .build());
        assertThat(ProtoSchemaCheck.check(
                        "log",
                        AccessLog.newBuilder()
                                .setName("envoy.access_loggers.http_grpc")
                                .setTypedConfig(broken)
                                .build()))
                .extracting(v -> v.path() + ": " + v.reason())
                .containsExactlyInAnyOrder(
                        "log.typed_config(HttpGrpcAccessLogConfig).common_config.log_name: must have at least 1 character(s)",
                        "log.typed_config(HttpGrpcAccessLogConfig).common_config.grpc_service: is required");
    }

    private static void assertReportsToXds(CommonGrpcAccessLogConfig common, String logName) {
        assertThat(common.getLogName()).isEqualTo(logName);
        assertThat(common.getTransportApiVersion()).isEqualTo(ApiVersion.V3);
        assertThat(common.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo(Bootstraps.XDS_CLUSTER);
    }

    private static Listener listener(MeshResources r, String name) {
        return r.listeners().stream()
                .filter(l -> l.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static HttpConnectionManager hcm(Filter f) {
        try {
            return f.getTypedConfig().unpack(HttpConnectionManager.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
