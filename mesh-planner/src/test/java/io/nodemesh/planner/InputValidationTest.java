package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Impossible clusters and bad requests are rejected whole, naming each field, before anything runs. */
class InputValidationTest {
    private final Planner planner = new Planner(ParameterFile.defaults());

    private PlanRequest request(ClusterShape shape, List<Double> rps) {
        return new PlanRequest(shape, Model.DEFAULTS, rps, 1024, 1000, TrafficPattern.UNIFORM, 1);
    }

    private void assertRejected(PlanRequest r, String... fragments) {
        AtomicLong progressCalls = new AtomicLong();
        assertThatThrownBy(() -> planner.plan(r, (d, t, w) -> progressCalls.incrementAndGet()))
                .isInstanceOfSatisfying(PlanInputException.class, e -> {
                    for (String f : fragments) assertThat(e.getMessage()).contains(f);
                });
        assertThat(progressCalls.get()).as("nothing ran").isZero();
    }

    @Test
    void noNodes() {
        assertRejected(request(ClusterShape.of(0, 10, 2), List.of(100.0)), "nodes must be >= 1, got 0");
    }

    @Test
    void podsThatFitOnNoNode() {
        assertRejected(
                request(ClusterShape.of(2, 100, 5), List.of(100.0)),
                "pods fit on no node",
                "250 pods per node, more than maxPodsPerNode 110",
                "needs nodes >= 5");
        assertRejected(
                request(ClusterShape.of(3, 2, 2).withMemory(5000, 4096), List.of(100.0)),
                "pods fit on no node: podMemoryMb 5000.0 exceeds nodeMemoryMb 4096.0");
        assertRejected(
                request(ClusterShape.of(1, 4, 2).withMemory(1000, 4096), List.of(100.0)),
                "8 pods x podMemoryMb 1000.0 exceeds nodeMemoryMb 4096.0");
    }

    @Test
    void negativeOrZeroRatesAndSizes() {
        assertRejected(
                request(ClusterShape.of(3, 20, 5), List.of(100.0, -5.0, 0.0)),
                "rps[1] must be a positive rate, got -5.0",
                "rps[2] must be a positive rate, got 0.0");
        PlanRequest r = new PlanRequest(
                ClusterShape.of(3, 20, 5), Model.DEFAULTS, List.of(10.0), -1, 1000, TrafficPattern.UNIFORM, 1);
        assertRejected(r, "messageBytes must be >= 0, got -1");
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThat(new PlanRequest(
                                new ClusterShape(0, -1, 0, 2, 0, -1, 0),
                                List.of(),
                                List.of(-1.0),
                                0,
                                1000,
                                TrafficPattern.UNIFORM,
                                1)
                        .problems())
                .anyMatch(s -> s.startsWith("nodes"))
                .anyMatch(s -> s.startsWith("services"))
                .anyMatch(s -> s.startsWith("podsPerService"))
                .anyMatch(s -> s.startsWith("l7Fraction"))
                .anyMatch(s -> s.startsWith("maxPodsPerNode"))
                .anyMatch(s -> s.startsWith("podMemoryMb"))
                .anyMatch(s -> s.startsWith("models"))
                .anyMatch(s -> s.startsWith("rps[0]"));
    }

    @Test
    void unknownModelNamesAreNamed() {
        assertThatThrownBy(() -> Model.parseList("sidecar,istio,node+ipsec"))
                .hasMessageContaining("dataplane 'istio' is not one of sidecar, node, ebpf")
                .hasMessageContaining("encryption 'ipsec' is not one of mtls, wireguard");
        assertThatThrownBy(() -> Model.parse("ebpf+mtls")).hasMessageContaining("use ebpf+wireguard");
        assertThat(Model.parseList(" sidecar+MTLS ,ebpf+wireguard,sidecar+mtls"))
                .containsExactly(Model.parse("sidecar+mtls"), Model.parse("ebpf+wireguard"));
        assertThat(Model.DEFAULTS)
                .extracting(Model::name)
                .containsExactly("sidecar", "sidecar+mtls", "node", "node+mtls", "ebpf", "ebpf+wireguard");
    }
}
