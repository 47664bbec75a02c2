package io.nodemesh.api.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference meaning of {@link Locality}: closest group first, overflow when it is empty. */
class ClosestEndpointsTest {
    private static Node node(String name, int i, String zone) {
        return Node.builder(name)
                .address("192.168.0." + i)
                .podCidr("10." + i + ".0.0/24")
                .zone(zone)
                .build();
    }

    private static Workload pod(String name, String node, String ip) {
        return Workload.builder("shop", name)
                .node(node)
                .ip(ip)
                .identity("spiffe://cluster.local/ns/shop/sa/api")
                .label("app", "api")
                .build();
    }

    private static final MeshState STATE = MeshState.builder()
            .node(node("n1", 1, "zone-a"))
            .node(node("n2", 2, "zone-a"))
            .node(node("n3", 3, "zone-b"))
            .node(node("n4", 4, ""))
            .workload(pod("on-n1", "n1", "10.1.0.5"))
            .workload(pod("on-n2", "n2", "10.2.0.5"))
            .workload(pod("on-n3", "n3", "10.3.0.5"))
            .workload(pod("on-n4", "n4", "10.4.0.5"))
            .service(Service.builder("shop", "api")
                    .vip("10.96.0.1")
                    .tcp(80, 8080)
                    .select("app", "api")
                    .build())
            .build();

    private static final MeshIndex INDEX = STATE.index();

    private static List<String> closest(Locality l, String clientNode, List<Endpoint> candidates) {
        Service s = STATE.services().getFirst().withLocality(l);
        return ClosestEndpoints.of(INDEX, s, candidates, clientNode).stream()
                .map(Endpoint::ip)
                .toList();
    }

    private static List<Endpoint> all() {
        return INDEX.readyEndpoints(STATE.services().getFirst());
    }

    private static List<Endpoint> without(String... ips) {
        return all().stream().filter(e -> !List.of(ips).contains(e.ip())).toList();
    }

    @Test
    void proximityIsNodeThenZoneAndANodeWithoutAZoneSharesNone() {
        assertThat(all())
                .extracting(e -> ClosestEndpoints.proximity(INDEX, e, "n1"))
                .containsExactly(Proximity.SAME_NODE, Proximity.SAME_ZONE, Proximity.ELSEWHERE, Proximity.ELSEWHERE);
        assertThat(all())
                .extracting(e -> ClosestEndpoints.proximity(INDEX, e, "n4"))
                .containsExactly(Proximity.ELSEWHERE, Proximity.ELSEWHERE, Proximity.ELSEWHERE, Proximity.SAME_NODE);
        assertThat(ClosestEndpoints.proximity(INDEX, Endpoint.ready("172.16.0.1", ""), "n1"))
                .isEqualTo(Proximity.ELSEWHERE);
    }

    @Test
    void anyKeepsTheCandidatesThemselves() {
        List<Endpoint> candidates = all();
        Service s = STATE.services().getFirst();
        assertThat(ClosestEndpoints.of(INDEX, s, candidates, "n1")).isSameAs(candidates);
    }

    @Test
    void preferNodeUsesTheNodeThenTheZoneThenAnywhere() {
        assertThat(closest(Locality.PREFER_NODE, "n1", all())).containsExactly("10.1.0.5");
        assertThat(closest(Locality.PREFER_NODE, "n1", without("10.1.0.5"))).containsExactly("10.2.0.5");
        assertThat(closest(Locality.PREFER_NODE, "n1", without("10.1.0.5", "10.2.0.5")))
                .containsExactly("10.3.0.5", "10.4.0.5");
        assertThat(closest(Locality.PREFER_NODE, "n1", List.of())).isEmpty();
    }

    @Test
    void preferZoneTreatsTheNodeAsPartOfItsZone() {
        assertThat(closest(Locality.PREFER_ZONE, "n2", all())).containsExactly("10.1.0.5", "10.2.0.5");
        assertThat(closest(Locality.PREFER_ZONE, "n3", all())).containsExactly("10.3.0.5");
        assertThat(closest(Locality.PREFER_ZONE, "n3", without("10.3.0.5")))
                .containsExactly("10.1.0.5", "10.2.0.5", "10.4.0.5");
    }

    @Test
    void nodeOnlyNeverOverflows() {
        assertThat(closest(Locality.NODE_ONLY, "n3", all())).containsExactly("10.3.0.5");
        assertThat(closest(Locality.NODE_ONLY, "n3", without("10.3.0.5"))).isEmpty();
    }

    @Test
    void tiersAreWhatEnvoyPrioritiesGet() {
        assertThat(ClosestEndpoints.tier(Locality.PREFER_NODE, Proximity.ELSEWHERE))
                .isEqualTo(2);
        assertThat(ClosestEndpoints.tier(Locality.PREFER_ZONE, Proximity.SAME_NODE))
                .isZero();
        assertThat(ClosestEndpoints.tier(Locality.NODE_ONLY, Proximity.SAME_ZONE))
                .isEqualTo(ClosestEndpoints.EXCLUDED);
        assertThat(ClosestEndpoints.tier(Locality.ANY, Proximity.ELSEWHERE)).isZero();
    }
}
