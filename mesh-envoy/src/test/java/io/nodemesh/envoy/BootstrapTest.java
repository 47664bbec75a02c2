package io.nodemesh.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.grpc.internal.JsonParser;
import io.nodemesh.envoy.internal.translate.ProtoSchemaCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bootstraps: Envoy's parses back into the Bootstrap proto and passes its schema; gRPC's is the JSON gRPC reads. */
class BootstrapTest {
    private static final Bootstraps.EnvoySpec SPEC =
            new Bootstraps.EnvoySpec("node-a", "nodemesh", "node-a", "127.0.0.1", 18000, 15000);

    @Test
    void envoyBootstrapHasAdminAdsClusterAndNode() throws Exception {
        String json = Bootstraps.envoyJson(SPEC);
        Bootstrap.Builder parsed = Bootstrap.newBuilder();
        JsonFormat.parser()
                .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                        .add(HttpProtocolOptions.getDescriptor())
                        .build())
                .merge(json, parsed);
        Bootstrap b = parsed.build();
        assertThat(b).isEqualTo(Bootstraps.envoy(SPEC));
        assertThat(b.getNode().getId()).isEqualTo("node-a");
        assertThat(b.getNode().getLocality().getZone()).isEqualTo("node-a");
        assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(15000);
        assertThat(b.getDynamicResources()
                        .getAdsConfig()
                        .getGrpcServices(0)
                        .getEnvoyGrpc()
                        .getClusterName())
                .isEqualTo(Bootstraps.XDS_CLUSTER);
        assertThat(b.getDynamicResources().getLdsConfig().hasAds()).isTrue();
        assertThat(b.getDynamicResources().getAdsConfig().getSetNodeOnFirstMessageOnly())
                .as("every request names its node")
                .isFalse();
        assertThat(b.getStaticResources()
                        .getClusters(0)
                        .getLoadAssignment()
                        .getEndpoints(0)
                        .getLbEndpoints(0)
                        .getEndpoint()
                        .getAddress()
                        .getSocketAddress()
                        .getPortValue())
                .isEqualTo(18000);
        assertThat(ProtoSchemaCheck.check("bootstrap", b)).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void grpcBootstrapNamesServerNodeAndServerListenerTemplate() throws Exception {
        var map = (Map<String, Object>)
                JsonParser.parse(Bootstraps.grpcJson("node-a~pod\"x", "node-a", "127.0.0.1", 18000));
        var servers = (List<Map<String, Object>>) map.get("xds_servers");
        assertThat(servers.getFirst().get("server_uri")).isEqualTo("127.0.0.1:18000");
        assertThat(((Map<String, Object>) map.get("node")).get("id")).isEqualTo("node-a~pod\"x");
        assertThat(map.get("server_listener_resource_name_template"))
                .isEqualTo("grpc/server?xds.resource.listening_address=%s");
    }
}
