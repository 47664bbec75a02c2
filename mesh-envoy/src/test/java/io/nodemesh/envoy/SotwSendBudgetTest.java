package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.l7;
import static io.nodemesh.envoy.TestStates.nodeA;
import static io.nodemesh.envoy.TestStates.workload;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * More state-of-the-world clients than the send budget has permits, each sent a large first configuration at once:
 * every one gets all of it (the ones kept waiting are served as permits come back), and every one gets the next change
 * complete and in order.
 */
class SotwSendBudgetTest {
    private static final int CLIENTS = 12;
    private static final int SERVICES = 300;

    private EnvoyDataplane dp;
    private final List<AdsStub> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(AdsStub::close);
        if (dp != null) dp.close();
    }

    private static MeshState state(int services) {
        var b = MeshState.builder().node(nodeA()).workload(workload("web", "127.0.0.2"));
        for (int i = 0; i < services; i++) {
            b.service(l7(
                    "svc" + i,
                    "10.96." + (i / 250) + "." + (i % 250 + 1),
                    8080,
                    List.of(Endpoint.ready("127.0.0.2", "shop/web"))));
        }
        return b.build();
    }

    @Test
    void everyClientGetsTheWholeConfigurationAndTheNextChange() {
        dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.xdsSecurity", "plaintext"));
        dp.apply(state(SERVICES));
        for (int i = 0; i < CLIENTS; i++) {
            AdsStub c = new AdsStub(dp.xdsPort(), "node-a~client" + i);
            clients.add(c);
            c.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "", null);
        }
        List<DiscoveryResponse> first = new ArrayList<>();
        for (AdsStub c : clients) {
            DiscoveryResponse r = c.next();
            assertThat(r.getResourcesCount())
                    .as("clusters: every service's plus the passthrough")
                    .isEqualTo(SERVICES + 1);
            first.add(r);
        }
        for (int i = 0; i < CLIENTS; i++) {
            clients.get(i)
                    .request(
                            Resources.V3.CLUSTER_TYPE_URL,
                            List.of(),
                            first.get(i).getVersionInfo(),
                            first.get(i).getNonce(),
                            null);
        }
        dp.apply(state(SERVICES - 1));
        for (AdsStub c : clients) {
            DiscoveryResponse next = c.next();
            List<String> names = new ArrayList<>();
            for (var any : next.getResourcesList()) names.add(unpack(any).getName());
            assertThat(names).hasSize(SERVICES).doesNotContain("outbound|8080||svc" + (SERVICES - 1) + ".shop");
        }
    }

    private static Cluster unpack(com.google.protobuf.Any any) {
        try {
            return any.unpack(Cluster.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
