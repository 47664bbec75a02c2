package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A service's locality lives in each node's slots: the kernel picks among them as always, so a node's connections reach
 * the closest ready endpoints and the slots overflow to the next group when a whole group is not ready (the health
 * checker marks failing endpoints not ready).
 */
class LocalitySlotsTest {
    private static final PlacementResolver NOTHING = new PlacementResolver() {
        @Override
        public OptionalLong netnsCookie(String path) {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong cgroupId(String path) {
            return OptionalLong.empty();
        }
    };

    private final MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, NOTHING);

    private static Workload pod(String name, int node) {
        return Workload.builder("shop", name)
                .node("n" + node)
                .ip("10.200." + node + "." + (10 + name.length()))
                .identity("spiffe://cluster.local/ns/shop/sa/api")
                .label("app", "api")
                .build();
    }

    private static final List<Workload> PODS = List.of(pod("a", 1), pod("bb", 1), pod("c", 2), pod("d", 3));

    private static MeshState state(Locality locality, String zoneOfN3, EndpointState n1State) {
        MeshState.Builder b = MeshState.builder();
        for (int n = 1; n <= 3; n++) {
            b.node(Node.builder("n" + n)
                    .address("192.168.0." + n)
                    .podCidr("10.200." + n + ".0/24")
                    .zone(n == 3 ? zoneOfN3 : "zone-1")
                    .build());
        }
        PODS.forEach(b::workload);
        Service.Builder api =
                Service.builder("shop", "api").vip("10.96.0.10").tcp(80, 8080).locality(locality);
        for (Workload w : PODS)
            api.endpoint(
                    new Endpoint(w.ips().getFirst(), w.key(), w.node().equals("n1") ? n1State : EndpointState.READY));
        return b.service(api.build()).build();
    }

    private List<String> slots(MeshState state, String node) {
        MapPlan plan = planner.plan(state, node, KernelConfig.DEFAULT, Allocations.NONE);
        return plan.allocations().slots().get("shop/api|v4");
    }

    @Test
    void eachNodeGetsItsClosestEndpointsInItsKernelSlots() {
        MeshState s = state(Locality.PREFER_NODE, "zone-2", EndpointState.READY);
        assertThat(slots(s, "n1")).containsExactly("10.200.1.11", "10.200.1.12");
        assertThat(slots(s, "n2")).containsExactly("10.200.2.11");
        assertThat(slots(s, "n3")).containsExactly("10.200.3.11");
        MapPlan n1 = new MapPlanner(PlanLimits.DEFAULTS, NOTHING).plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        var k = new KernelModel(n1);
        var service = k.service("10.96.0.10", 80, KernelAbi.PROTO_TCP).orElseThrow();
        assertThat(service.backendCount()).isEqualTo(2);
        assertThat(List.of(
                        k.backend(service.backendSet(), 0).orElseThrow(),
                        k.backend(service.backendSet(), 1).orElseThrow()))
                .containsExactly("10.200.1.11", "10.200.1.12");
        assertThat(k.backend(service.backendSet(), 2)).isEmpty();
    }

    @Test
    void whenTheNodesEndpointsAreDownItsSlotsOverflowToTheZoneThenEverywhere() {
        assertThat(slots(state(Locality.PREFER_NODE, "zone-2", EndpointState.NOT_READY), "n1"))
                .containsExactly("10.200.2.11");
        assertThat(slots(state(Locality.PREFER_ZONE, "zone-2", EndpointState.READY), "n1"))
                .containsExactly("10.200.1.11", "10.200.1.12", "10.200.2.11");
        assertThat(slots(state(Locality.PREFER_ZONE, "zone-2", EndpointState.READY), "n3"))
                .containsExactly("10.200.3.11");
        assertThat(slots(state(Locality.NODE_ONLY, "zone-2", EndpointState.NOT_READY), "n1"))
                .isEmpty();
        assertThat(slots(state(Locality.ANY, "zone-2", EndpointState.READY), "n1"))
                .hasSize(4);
    }

    @Test
    void aZoneChangeReplansTheServiceEvenOnTheIncrementalPath() {
        MapPlan first = planner.plan(
                state(Locality.PREFER_ZONE, "zone-2", EndpointState.NOT_READY),
                "n3",
                KernelConfig.DEFAULT,
                Allocations.NONE);
        assertThat(first.allocations().slots().get("shop/api|v4")).containsExactly("10.200.3.11");
        // n3 joins zone-1: its zone now has n1's (down) and n2's endpoints.
        MapPlan second = planner.plan(
                state(Locality.PREFER_ZONE, "zone-1", EndpointState.NOT_READY),
                "n3",
                KernelConfig.DEFAULT,
                first.allocations());
        assertThat(second.allocations().slots().get("shop/api|v4"))
                .containsExactlyInAnyOrder("10.200.2.11", "10.200.3.11");
    }
}
