package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A service's {@link Locality} as each node's EDS priorities: its node first, then its zone, then the rest, with an
 * overprovisioning factor that keeps all load on the first priority while any of its endpoints is healthy.
 * node-a and node-b are in zone-1, node-c and node-d in zone-2; node-d runs no backend.
 */
class LocalityTranslationTest {
    private static final List<String> NODES = List.of("node-a", "node-b", "node-c", "node-d");

    private static MeshState state(Locality locality) {
        MeshState.Builder b = MeshState.builder();
        for (int i = 0; i < NODES.size(); i++) {
            b.node(Node.builder(NODES.get(i))
                    .address("192.168.0." + (i + 1))
                    .podCidr("10." + i + ".0.0/24")
                    .zone(i < 2 ? "zone-1" : "zone-2")
                    .build());
        }
        for (int i = 0; i < 3; i++) {
            b.workload(Workload.builder("shop", "api-" + i)
                    .node(NODES.get(i))
                    .ip("10." + i + ".0.5")
                    .identity("spiffe://cluster.local/ns/shop/sa/api")
                    .label("app", "api")
                    .build());
        }
        return b.service(Service.builder("shop", "api")
                        .vip("10.96.0.2")
                        .tcp(80, 8080)
                        .select("app", "api")
                        .locality(locality)
                        .build())
                .build();
    }

    private static Map<String, MeshResources> forNodes(MeshState state) {
        MeshTranslator t = new MeshTranslator(15001);
        return t.forNodes(state.index(), NODES, t.shared(state), null);
    }

    /** Priority → the addresses at it. */
    private static Map<Integer, List<String>> priorities(ClusterLoadAssignment cla) {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (LocalityLbEndpoints l : cla.getEndpointsList()) {
            out.computeIfAbsent(l.getPriority(), k -> new java.util.ArrayList<>())
                    .addAll(l.getLbEndpointsList().stream()
                            .map(e -> e.getEndpoint()
                                    .getAddress()
                                    .getSocketAddress()
                                    .getAddress())
                            .toList());
        }
        return out;
    }

    private static ClusterLoadAssignment cla(Map<String, MeshResources> byNode, String node) {
        return byNode.get(node).endpoints().getFirst();
    }

    @Test
    void preferNodeGivesEachNodeItsOwnPriorities() {
        var byNode = forNodes(state(Locality.PREFER_NODE));
        assertThat(priorities(cla(byNode, "node-a")))
                .isEqualTo(Map.of(0, List.of("10.0.0.5"), 1, List.of("10.1.0.5"), 2, List.of("10.2.0.5")));
        // node-d has no backend of its own: its zone's is first, and priorities start at 0 without a gap.
        assertThat(priorities(cla(byNode, "node-d")))
                .isEqualTo(Map.of(0, List.of("10.2.0.5"), 1, List.of("10.0.0.5", "10.1.0.5")));
        assertThat(cla(byNode, "node-a").getPolicy().getOverprovisioningFactor().getValue())
                .isEqualTo(EndpointTranslator.OVERPROVISIONING_FACTOR);
        assertThat(cla(byNode, "node-a").getEndpoints(0).getLocality().getZone())
                .isEqualTo("zone-1");
        assertThat(cla(byNode, "node-a").getEndpoints(0).getLocality().getSubZone())
                .isEqualTo("node-a");
    }

    @Test
    void preferZoneAndNodeOnly() {
        var zone = forNodes(state(Locality.PREFER_ZONE));
        assertThat(priorities(cla(zone, "node-b")))
                .isEqualTo(Map.of(0, List.of("10.0.0.5", "10.1.0.5"), 1, List.of("10.2.0.5")));
        var local = forNodes(state(Locality.NODE_ONLY));
        assertThat(priorities(cla(local, "node-c"))).isEqualTo(Map.of(0, List.of("10.2.0.5")));
        assertThat(cla(local, "node-d").getEndpointsList()).isEmpty();
    }

    @Test
    void withoutLocalityEveryNodeSharesOneListAtPriorityZero() {
        MeshState state = state(Locality.ANY);
        MeshTranslator t = new MeshTranslator(15001);
        MeshResources shared = t.shared(state);
        var byNode = t.forNodes(state.index(), NODES, shared, null);
        for (String node : NODES) assertThat(byNode.get(node).endpoints()).isSameAs(shared.endpoints());
        assertThat(priorities(shared.endpoints().getFirst()).keySet()).containsExactly(0);
        assertThat(shared.endpoints().getFirst().hasPolicy()).isFalse();
    }
}
