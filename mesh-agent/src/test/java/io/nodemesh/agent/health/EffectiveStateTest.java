package io.nodemesh.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.TcpHealthCheck;
import io.nodemesh.api.state.Workload;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The state the backends get: unhealthy endpoints not ready, selectors listed, everything else the same object. */
class EffectiveStateTest {
    static final TcpHealthCheck CHECK = new TcpHealthCheck(80, HealthCheckSchedule.DEFAULT);

    static Workload pod(String name, String ip) {
        return new Workload(
                "shop", name, "node-a", List.of(ip), "spiffe://td/ns/shop/sa/" + name, Map.of("app", "web"), null);
    }

    static MeshState state() {
        return MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .workload(pod("web-0", "10.0.0.10"))
                .workload(pod("web-1", "10.0.0.11"))
                .service(Service.builder("shop", "web")
                        .vip("10.96.0.10")
                        .tcp(80, 8080)
                        .select("app", "web")
                        .healthCheck(CHECK)
                        .build())
                .service(Service.builder("shop", "plain")
                        .vip("10.96.0.11")
                        .tcp(80, 8080)
                        .endpoint("10.0.0.10", "shop/web-0")
                        .build())
                .build();
    }

    @Test
    void nothingUnhealthyIsTheDesiredStateItself() {
        MeshState s = state();
        assertThat(EffectiveState.of(s, Set.of())).isSameAs(s);
    }

    @Test
    void anUnhealthyEndpointOfASelectingServiceIsListedNotReady() {
        MeshState s = state();
        MeshState effective = EffectiveState.of(s, Set.of(new ProbeTarget.EndpointKey("shop/web", "10.0.0.11")));
        Service web = effective.services().getFirst();
        assertThat(web.selector()).isEmpty();
        assertThat(web.endpoints())
                .containsExactly(
                        new Endpoint("10.0.0.10", "shop/web-0", EndpointState.READY),
                        new Endpoint("10.0.0.11", "shop/web-1", EndpointState.NOT_READY));
        assertThat(effective.services().get(1)).isSameAs(s.services().get(1));
        assertThat(effective.validate()).isEmpty();
        assertThat(effective.index().readyEndpoints(web))
                .extracting(Endpoint::ip)
                .containsExactly("10.0.0.10");
    }

    @Test
    void targetsAreEveryReadyEndpointOnTheProbedTargetPort() {
        assertThat(ProbeTargets.of(state()))
                .containsExactly(
                        new ProbeTarget("shop/web", "10.0.0.10", 8080, CHECK),
                        new ProbeTarget("shop/web", "10.0.0.11", 8080, CHECK));
    }

    @Test
    void holdDownNeedsTheThresholdsInARow() {
        HoldDown h = new HoldDown();
        var key = new ProbeTarget.EndpointKey("shop/web", "10.0.0.11");
        HealthCheckSchedule s = HealthCheckSchedule.DEFAULT; // 3 to eject, 2 to restore
        assertThat(h.record(key, s, false)).isFalse();
        assertThat(h.record(key, s, false)).isFalse();
        assertThat(h.record(key, s, true)).isFalse(); // a pass resets the failures
        assertThat(h.record(key, s, false)).isFalse();
        assertThat(h.record(key, s, false)).isFalse();
        assertThat(h.record(key, s, false)).isTrue();
        assertThat(h.unhealthy()).containsExactly(key);
        assertThat(h.record(key, s, true)).isFalse();
        assertThat(h.record(key, s, true)).isTrue();
        assertThat(h.unhealthy()).isEmpty();
        h.record(key, s, false);
        h.record(key, s, false);
        h.record(key, s, false);
        assertThat(h.retain(List.of())).isTrue();
        assertThat(h.unhealthy()).isEmpty();
    }
}
