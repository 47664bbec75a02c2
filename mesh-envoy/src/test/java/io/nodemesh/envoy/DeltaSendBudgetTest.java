package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.l7;
import static io.nodemesh.envoy.TestStates.nodeA;
import static io.nodemesh.envoy.TestStates.workload;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * More delta clients than the send budget has permits, each sent a large first configuration at once: every one gets
 * all of it (the ones kept waiting are served as permits come back), and every one gets the next change.
 */
class DeltaSendBudgetTest {
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
            c.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(Resources.V3.CLUSTER_TYPE_URL));
        }
        for (AdsStub c : clients) {
            DeltaDiscoveryResponse first = c.nextDelta();
            assertThat(first.getResourcesCount())
                    .as("clusters: every service's plus the passthrough")
                    .isEqualTo(SERVICES + 1);
            c.delta(DeltaDiscoveryRequest.newBuilder()
                    .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
                    .setResponseNonce(first.getNonce()));
        }
        dp.apply(state(SERVICES - 1));
        for (AdsStub c : clients) {
            assertThat(c.nextDelta().getRemovedResourcesList())
                    .containsExactly("outbound|8080||svc" + (SERVICES - 1) + ".shop");
        }
    }
}
