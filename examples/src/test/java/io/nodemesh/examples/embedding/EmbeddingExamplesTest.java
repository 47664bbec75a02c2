package io.nodemesh.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Verdict;
import io.nodemesh.config.StateFileProblem;
import io.nodemesh.examples.cli.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each embedding example runs its main quickly, without root, and shows what its opening comment promises. */
class EmbeddingExamplesTest {
    /** Runs a main with System.out captured. */
    private static String runMain(ThrowingMain main) throws Exception {
        return CliRun.capture(() -> {
                    main.run();
                    return 0;
                })
                .out();
    }

    private interface ThrowingMain {
        void run() throws Exception;
    }

    private static PrintStream sink() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void embeddedSimulatorDrivesTrafficAndReadsFlows() throws Exception {
        String printed = runMain(() -> EmbeddedSimulatorExample.main(new String[0]));
        assertThat(printed)
                .contains(
                        "batch -> cart refused: DROPPED_POLICY",
                        "the reply comes from 10.96.0.53:53",
                        "/api requests by service:");

        EmbeddedSimulatorExample.Outcome o = EmbeddedSimulatorExample.run(42, sink());
        assertThat(o.cartBackends().values().stream()
                        .mapToInt(Integer::intValue)
                        .sum())
                .isEqualTo(100);
        // cart-1 shares node-a with the client (socket redirect); cart-2 is across the wire (kernel stack).
        assertThat(o.cartBackends())
                .containsOnlyKeys("shop/cart-1 via SOCKET_REDIRECT", "shop/cart-2 via KERNEL_STACK");
        assertThat(o.batchToCart()).isEqualTo(Verdict.DROPPED_POLICY);
        assertThat(o.udpVerdict()).isEqualTo(Verdict.FORWARDED);
        // 200 requests split 80:20: v2 outside 20..60 (sd 5.7 around 40) has probability < 1e-6 for a fair split.
        assertThat(o.apiVersions()).containsOnlyKeys("shop/web-v1", "shop/web-v2");
        assertThat(o.apiVersions().get("shop/web-v2")).isBetween(20, 60);
        assertThat(o.flows()).anySatisfy(f -> assertThat(f.type()).isEqualTo(FlowEvent.Type.DROP));
        assertThat(o.stats().total()).isEqualTo(o.flows().size());
        // Seeded and on a virtual clock: the same seed gives the same events.
        assertThat(EmbeddedSimulatorExample.run(42, sink()).flows()).isEqualTo(o.flows());
    }

    @Test
    void composedBackendsRollBackWhenOnePartFails() throws Exception {
        String printed = runMain(() -> ComposedDataplanesExample.main(new String[0]));
        assertThat(printed)
                .contains(
                        "installed backends:",
                        "sim",
                        "composed sim+small-device",
                        "the simulator still serves the previous state: true");

        ComposedDataplanesExample.Outcome o = ComposedDataplanesExample.run(sink());
        assertThat(o.availability()).containsEntry("sim", "available");
        assertThat(o.failure()).contains("small-device", "device table full: 6 services, room for 5");
        assertThat(o.simStateAfterFailure()).isEqualTo(o.goodState());
    }

    @Test
    void stateFileProblemsAndBackendViolationsAreReported() throws Exception {
        String printed = runMain(() -> StateFileExample.main(new String[0]));
        assertThat(printed)
                .contains("bad.yaml is invalid:", "mesh.yaml is valid", "the state applied before keeps serving: true");

        StateFileExample.Outcome o = StateFileExample.run(sink());
        assertThat(o.fileProblems())
                .extracting(StateFileProblem::path)
                .contains("services[shop/web].ports[1].port", "workloads[shop/web-1].node");
        assertThat(o.fileProblems()).allSatisfy(p -> assertThat(p.line()).isPositive());
        assertThat(o.applyViolations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("services[example/everyone].endpoints");
            assertThat(v.reason()).contains("7 ready endpoints exceed the Maglev table size 5");
        });
        assertThat(o.previousStateKept()).isTrue();
    }
}
