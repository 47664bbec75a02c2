package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which (service, backend, port) triples an apply takes away from UDP services: the keys udp_reap.bpf.c matches. */
class StaleUdpBackendsTest {
    private final MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);

    private static MeshState state(List<ServicePort> ports, Endpoint... endpoints) {
        return MeshState.builder()
                .service(new Service(
                        "dns",
                        "resolver",
                        List.of("10.96.0.53"),
                        ports,
                        List.of(endpoints),
                        Map.of(),
                        LoadBalancing.RANDOM,
                        SessionAffinity.NONE,
                        ServiceLayer.L4))
                .build();
    }

    private static final List<ServicePort> UDP = List.of(new ServicePort("dns", 53, 5353, Protocol.UDP));

    private List<Bytes> stale(MeshState before, MeshState after) {
        MapPlan a = planner.plan(before, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MapPlan b = planner.plan(after, "n1", KernelConfig.DEFAULT, a.allocations());
        List<Bytes> walked = StaleUdpBackends.between(before, a.allocations(), after, b.allocations());
        // The by-key path the agent takes when only services changed must find exactly the same keys.
        List<String> changed = StateDiff.between(before, after).stream()
                .map(ApplyResult.Change::key)
                .toList();
        assertThat(StaleUdpBackends.ofServices(
                        changed, before.index(), a.allocations(), after.index(), b.allocations()))
                .containsExactlyInAnyOrderElementsOf(walked);
        return walked;
    }

    @Test
    void removedAndUnreadiedBackendsAreStaleKeptOnesAreNot() {
        MeshState before = state(
                UDP, Endpoint.ready("10.1.0.1", ""), Endpoint.ready("10.1.0.2", ""), Endpoint.ready("10.1.0.3", ""));
        MeshState after =
                state(UDP, Endpoint.ready("10.1.0.1", ""), new Endpoint("10.1.0.3", "", EndpointState.TERMINATING));
        int id = planner.plan(before, "n1", KernelConfig.DEFAULT, Allocations.NONE)
                .allocations()
                .services()
                .get("dns/resolver");
        assertThat(stale(before, after))
                .containsExactlyInAnyOrder(
                        Encode.udpStaleKey(Addresses.toKernel("10.1.0.2"), id, 5353),
                        Encode.udpStaleKey(Addresses.toKernel("10.1.0.3"), id, 5353));
    }

    @Test
    void nothingIsStaleWhenNothingWasTakenAwayOrTheServiceIsTcpOnly() {
        MeshState udp = state(UDP, Endpoint.ready("10.1.0.1", ""));
        assertThat(stale(udp, udp)).isEmpty();
        assertThat(stale(udp, state(UDP, Endpoint.ready("10.1.0.1", ""), Endpoint.ready("10.1.0.2", ""))))
                .isEmpty();
        List<ServicePort> tcp = List.of(ServicePort.tcp(53, 5353));
        assertThat(stale(state(tcp, Endpoint.ready("10.1.0.1", "")), state(tcp)))
                .isEmpty();
    }

    @Test
    void aRemovedServiceOrAChangedTargetPortMakesEveryBackendStale() {
        MeshState before = state(UDP, Endpoint.ready("10.1.0.1", ""));
        assertThat(stale(before, MeshState.EMPTY)).hasSize(1);
        assertThat(stale(
                        before,
                        state(List.of(new ServicePort("dns", 53, 5354, Protocol.UDP)), Endpoint.ready("10.1.0.1", ""))))
                .hasSize(1);
    }
}
