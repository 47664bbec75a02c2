package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Locality;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What preferring the client's node saves: requests that cross the wire, and their latency. */
class LocalityPlanTest {
    private static LoadPoint plan(ClusterShape shape, Locality locality) {
        Model model = Model.parseList("ebpf+wireguard").getFirst();
        PlanRequest req = new PlanRequest(
                        shape, List.of(model), List.of(2000.0), 1024, 40_000, TrafficPattern.UNIFORM, 7)
                .withLocality(locality);
        assertThat(req.problems()).isEmpty();
        return new Planner(ParameterFile.defaults())
                .plan(req, ProgressListener.NONE)
                .loads()
                .getFirst();
    }

    @Test
    void withAReplicaOnEveryNodeNoRequestCrossesNodes() {
        ClusterShape article = ClusterShape.of(3, 20, 5);
        LoadPoint any = plan(article, Locality.ANY);
        LoadPoint local = plan(article, Locality.PREFER_NODE);
        // Uniform over 3 nodes: two thirds of the servers are elsewhere (binomial sd at 36,000 requests: 0.0025).
        assertThat(any.crossNodeFraction()).isBetween(0.64, 0.69);
        assertThat(local.crossNodeFraction()).isZero();
        assertThat(local.p50Us()).isLessThan(any.p50Us());
    }

    @Test
    void servicesWithoutALocalReplicaStillCross() {
        // 2 replicas on 3 nodes: a service lacks a replica on one node in three, where every request crosses.
        LoadPoint local = plan(ClusterShape.of(3, 30, 2), Locality.PREFER_NODE);
        assertThat(local.crossNodeFraction()).isBetween(0.28, 0.39);
    }

    @Test
    void nodeOnlyNeedsAReplicaEverywhere() {
        PlanRequest req = new PlanRequest(
                        ClusterShape.of(3, 4, 2),
                        List.of(Model.DEFAULTS.getFirst()),
                        List.of(),
                        0,
                        0,
                        TrafficPattern.UNIFORM,
                        1)
                .withLocality(Locality.NODE_ONLY);
        assertThat(req.problems())
                .containsExactly("locality NODE_ONLY needs a replica of every service on every node: podsPerService (2)"
                        + " must be >= nodes (3)");
    }
}
