package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.TcpHealthCheck;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Locality in the reference semantics: a client's connections go to the closest group of ready, healthy endpoints —
 * its node, then its zone, then anywhere — and overflow to the next group when a whole group is down.
 * node-a and node-b are in zone-1, node-c in zone-2; web-0 and web-3 run on node-a, web-1 on node-b, web-2 on node-c.
 */
class LocalityTest {
    private static final Source CLIENT = Source.workload("shop/client"); // on node-a
    private static final HealthCheckSchedule EVERY_SECOND =
            new HealthCheckSchedule(Duration.ofSeconds(1), Duration.ofMillis(200), 1, 1);

    private final SimulatedDataplane dp = SimulatedDataplane.seeded(5);
    private final java.util.List<Workload> pods = SimWorld.webPods(4);

    @AfterEach
    void close() {
        dp.close();
    }

    private void apply(Locality locality) {
        Service web = SimWorld.web(LoadBalancing.ROUND_ROBIN).toBuilder()
                .locality(locality)
                .healthCheck(new TcpHealthCheck(0, EVERY_SECOND))
                .build();
        MeshState.Builder b = MeshState.builder();
        SimHarness.NODES.forEach(n -> b.node(n.withZone(n.name().equals("node-c") ? "zone-2" : "zone-1")));
        b.workload(SimWorld.client());
        pods.forEach(b::workload);
        dp.apply(b.service(web).build());
    }

    private String ip(int pod) {
        return pods.get(pod).ips().getFirst();
    }

    /** The backends {@code n} connections from {@code source} reached. */
    private Set<String> backends(Source source, int n) {
        Set<String> reached = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            if (dp.connect(source, SimWorld.VIP, 80) instanceof ConnectResult.Connected c) {
                reached.add(c.connection().backend().ip());
                dp.close(c.connection());
            }
        }
        return reached;
    }

    @Test
    void anyUsesEveryEndpoint() {
        apply(Locality.ANY);
        assertThat(backends(CLIENT, 20)).containsExactlyInAnyOrder(ip(0), ip(1), ip(2), ip(3));
    }

    @Test
    void preferNodeStaysOnTheNodeAndOverflowsToTheZoneThenAnywhere() {
        apply(Locality.PREFER_NODE);
        assertThat(backends(CLIENT, 20)).containsExactlyInAnyOrder(ip(0), ip(3));
        assertThat(backends(Source.host("node-c"), 20)).containsExactly(ip(2));

        dp.setCondition(ip(0), BackendCondition.DOWN);
        dp.advance(Duration.ofSeconds(3));
        assertThat(backends(CLIENT, 20)).containsExactly(ip(3));

        dp.setCondition(ip(3), BackendCondition.DOWN);
        dp.advance(Duration.ofSeconds(3));
        assertThat(backends(CLIENT, 20)).containsExactly(ip(1));

        dp.setCondition(ip(1), BackendCondition.DOWN);
        dp.advance(Duration.ofSeconds(3));
        assertThat(backends(CLIENT, 20)).containsExactly(ip(2));

        dp.setCondition(ip(0), BackendCondition.UP);
        dp.advance(Duration.ofSeconds(3));
        assertThat(backends(CLIENT, 20))
                .as("back on the node once it is healthy")
                .containsExactly(ip(0));
    }

    @Test
    void preferZoneSpreadsOverTheZone() {
        apply(Locality.PREFER_ZONE);
        assertThat(backends(CLIENT, 20)).containsExactlyInAnyOrder(ip(0), ip(1), ip(3));
        assertThat(backends(Source.host("node-c"), 20)).containsExactly(ip(2));
    }

    @Test
    void nodeOnlyRefusesWhenTheNodeHasNoneAndSaysWhy() {
        apply(Locality.NODE_ONLY);
        assertThat(backends(Source.host("node-b"), 20)).containsExactly(ip(1));
        dp.setCondition(ip(1), BackendCondition.DOWN);
        dp.advance(Duration.ofSeconds(3));
        assertThat(dp.connect(Source.host("node-b"), SimWorld.VIP, 80))
                .isEqualTo(new ConnectResult.Refused(
                        Verdict.NO_BACKEND,
                        "service shop/web has no ready endpoint on node node-b (its locality is NODE_ONLY)"));
    }
}
