package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.Verdict;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A three-node cluster: one mock API server, one agent per node, each on its own simulated dataplane. Pods on every
 * node reach a service, and follow its endpoints as they change, are removed, and as a policy denies them.
 */
class ThreeNodeClusterTest {
    static final List<String> NODES = List.of("node-a", "node-b", "node-c");
    static final String VIP = "10.96.0.20";

    final List<KubernetesFeed> feeds = new ArrayList<>();
    final List<SimulatedDataplane> sims = new ArrayList<>();
    MockApiServer api;

    @AfterEach
    void stop() {
        feeds.forEach(KubernetesFeed::close);
        sims.forEach(SimulatedDataplane::close);
        if (api != null) api.close();
    }

    @Test
    void podsOnEveryNodeReachAServiceWhoseEndpointsChange() throws Exception {
        api = new MockApiServer();
        Cluster cluster = new Cluster(api.client());
        for (int i = 0; i < NODES.size(); i++) {
            cluster.node(NODES.get(i), "192.168.20." + (i + 1), "10.2." + (i + 1) + ".0/24");
            cluster.pod(
                    "shop",
                    "client-" + (char) ('a' + i),
                    NODES.get(i),
                    "10.2." + (i + 1) + ".10",
                    "client",
                    Map.of("app", "client"));
        }
        cluster.pod("shop", "backend-1", "node-b", "10.2.2.20", "backend", Map.of("app", "backend"));
        cluster.pod("shop", "backend-2", "node-c", "10.2.3.20", "backend", Map.of("app", "backend"));
        cluster.pod("shop", "backend-3", "node-a", "10.2.1.20", "backend", Map.of("app", "backend"));
        cluster.service("shop", "backend", VIP, 80, 8080);
        cluster.slice(
                "shop",
                "backend",
                "backend-x",
                8080,
                List.of(Ep.ready("10.2.2.20", "backend-1"), Ep.ready("10.2.3.20", "backend-2")));

        for (int i = 0; i < NODES.size(); i++) {
            SimulatedDataplane sim = SimulatedDataplane.seeded(i + 1);
            sims.add(sim);
            feeds.add(KubernetesFeed.start(api.newClient(), sim, FeedOptions.forNode(NODES.get(i))));
        }
        for (KubernetesFeed f : feeds)
            assertThat(f.awaitReady(Eventually.TIMEOUT)).as("%s", f.health()).isTrue();

        for (int i = 0; i < NODES.size(); i++) {
            assertThat(backendsReached(i))
                    .as("from node %s", NODES.get(i))
                    .containsExactlyInAnyOrder("10.2.2.20", "10.2.3.20");
        }

        // backend-2 starts terminating and backend-3 takes its place: new connections avoid backend-2 on every node.
        cluster.replaceSlice(
                "shop",
                "backend",
                "backend-x",
                8080,
                List.of(
                        Ep.ready("10.2.2.20", "backend-1"),
                        Ep.terminating("10.2.3.20", "backend-2"),
                        Ep.ready("10.2.1.20", "backend-3")));
        awaitEverywhere(
                "backend-3 programmed",
                sim -> sim.state().services().getFirst().endpoints().size() == 3);
        for (int i = 0; i < NODES.size(); i++) {
            assertThat(backendsReached(i))
                    .as("from node %s", NODES.get(i))
                    .containsExactlyInAnyOrder("10.2.2.20", "10.2.1.20");
        }

        // No endpoints left: connects fail fast with no backend, everywhere.
        api.client()
                .discovery()
                .v1()
                .endpointSlices()
                .inNamespace("shop")
                .withName("backend-x")
                .delete();
        awaitEverywhere(
                "no endpoints",
                sim -> sim.state().services().getFirst().endpoints().isEmpty());
        for (int i = 0; i < NODES.size(); i++) {
            var r = sims.get(i).connect(Source.workload("shop/client-" + (char) ('a' + i)), VIP, 80);
            assertThat(r)
                    .isInstanceOfSatisfying(
                            ConnectResult.Refused.class,
                            x -> assertThat(x.verdict()).isEqualTo(Verdict.NO_BACKEND));
        }

        // Endpoints back, and a MeshPolicy that denies the clients' service account: refused by policy on every node.
        cluster.slice("shop", "backend", "backend-y", 8080, List.of(Ep.ready("10.2.2.20", "backend-1")));
        cluster.policy(
                "shop",
                "no-clients",
                Map.of("action", "deny", "sources", List.of("shop/client"), "services", List.of("backend")));
        awaitEverywhere(
                "policy programmed",
                sim -> sim.state().policies().size() == 1
                        && !sim.state().services().getFirst().endpoints().isEmpty());
        for (int i = 0; i < NODES.size(); i++) {
            var r = sims.get(i).connect(Source.workload("shop/client-" + (char) ('a' + i)), VIP, 80);
            assertThat(r)
                    .isInstanceOfSatisfying(
                            ConnectResult.Refused.class,
                            x -> assertThat(x.verdict()).isEqualTo(Verdict.DROPPED_POLICY));
        }
        // The node processes are not the denied identity: they still get through.
        assertThat(sims.getFirst().connect(Source.host("node-a"), VIP, 80).connected())
                .isTrue();
    }

    private Set<String> backendsReached(int node) {
        Set<String> seen = new HashSet<>();
        SimulatedDataplane sim = sims.get(node);
        for (int n = 0; n < 40; n++) {
            var r = sim.connect(Source.workload("shop/client-" + (char) ('a' + node)), VIP, 80);
            assertThat(r.connected())
                    .as("connect %d from %s: %s", n, NODES.get(node), r)
                    .isTrue();
            seen.add(r.connection().backend().ip());
            sim.close(r.connection());
        }
        return seen;
    }

    private void awaitEverywhere(String what, java.util.function.Predicate<SimulatedDataplane> condition) {
        for (SimulatedDataplane sim : sims) {
            Eventually.until(what + " on " + sim, () -> !sim.state().services().isEmpty() && condition.test(sim));
        }
    }
}
