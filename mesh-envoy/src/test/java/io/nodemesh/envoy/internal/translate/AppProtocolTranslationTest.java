package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** HTTP/2 and gRPC ports get HTTP/2 upstream connections; the node proxy's connection managers accept h2c. */
class AppProtocolTranslationTest {
    private static MeshState state(EncryptionSpec.Mode mode) {
        return MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .service(Service.builder("shop", "api")
                        .vip("10.96.0.2")
                        .tcp(80, 8080, AppProtocol.HTTP)
                        .tcp(81, 8081, AppProtocol.HTTP2)
                        .tcp(82, 8082, AppProtocol.GRPC)
                        .tcp(83, 8083)
                        .endpoint(Endpoint.ready("10.0.0.5", "shop/api-0"))
                        .layer(ServiceLayer.L7)
                        .build())
                .encryption(new EncryptionSpec(mode, EncryptionSpec.Enforcement.PERMISSIVE, "td.test"))
                .build();
    }

    private static Map<String, Cluster> clusters(MeshResources r) {
        return r.clusters().stream().collect(Collectors.toMap(Cluster::getName, Function.identity()));
    }

    private static String cluster(int port) {
        return Names.cluster(
                state(EncryptionSpec.Mode.NONE).services().getFirst().key(), port);
    }

    private static boolean speaksHttp2Upstream(Cluster cluster) throws Exception {
        if (cluster.getTypedExtensionProtocolOptionsCount() == 0) return false;
        assertThat(cluster.getTypedExtensionProtocolOptionsMap())
                .containsOnlyKeys(ClusterTranslator.HTTP_PROTOCOL_OPTIONS);
        return cluster.getTypedExtensionProtocolOptionsOrThrow(ClusterTranslator.HTTP_PROTOCOL_OPTIONS)
                .unpack(HttpProtocolOptions.class)
                .getExplicitHttpConfig()
                .hasHttp2ProtocolOptions();
    }

    @Test
    void http2AndGrpcClustersSpeakHttp2UpstreamAndOthersKeepEnvoysDefault() throws Exception {
        Map<String, Cluster> c = clusters(new MeshTranslator(15001).shared(state(EncryptionSpec.Mode.NONE)));
        assertThat(speaksHttp2Upstream(c.get(cluster(81)))).as("http2").isTrue();
        assertThat(speaksHttp2Upstream(c.get(cluster(82)))).as("grpc").isTrue();
        assertThat(speaksHttp2Upstream(c.get(cluster(80)))).as("http").isFalse();
        assertThat(speaksHttp2Upstream(c.get(cluster(83)))).as("tcp (default)").isFalse();
    }

    @Test
    void underMtlsTheNodeProxysOwnClustersSpeakHttp2Too() throws Exception {
        Map<String, Cluster> c = clusters(new MeshTranslator(15001).shared(state(EncryptionSpec.Mode.MTLS)));
        assertThat(speaksHttp2Upstream(c.get(NodeProxyResources.name(cluster(82)))))
                .isTrue();
        assertThat(speaksHttp2Upstream(c.get(NodeProxyResources.name(cluster(80)))))
                .isFalse();
    }

    @ParameterizedTest
    @EnumSource(EncryptionSpec.Mode.class)
    void outboundConnectionManagersAcceptHttp1AndH2c(EncryptionSpec.Mode mode) throws Exception {
        MeshResources r = new MeshTranslator(15001).shared(state(mode));
        Listener outbound = r.listeners().stream()
                .filter(l -> l.getName().equals(Names.OUTBOUND_LISTENER))
                .findFirst()
                .orElseThrow();
        assertThat(outbound.getFilterChainsList()).hasSize(4);
        for (FilterChain chain : outbound.getFilterChainsList()) {
            HttpConnectionManager hcm = chain.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
            assertThat(hcm.getCodecType()).isEqualTo(HttpConnectionManager.CodecType.AUTO);
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionSpec.Mode.class)
    void theSchemaCheckAcceptsTheTranslation(EncryptionSpec.Mode mode) {
        assertThat(ProtoSchemaCheck.check(new MeshTranslator(15001).shared(state(mode))))
                .isEmpty();
    }
}
