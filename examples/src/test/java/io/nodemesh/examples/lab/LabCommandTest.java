package io.nodemesh.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.examples.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code nodemesh lab}'s help and its bad-input errors; both come before anything is built. */
class LabCommandTest {
    @Test
    void helpSaysWhatItDoesAndThatItNeedsRoot() {
        CliRun run = CliRun.nodemesh("lab", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("needs root")
                .contains("--backend ebpf,envoy,wireguard")
                .contains("--pods-per-service")
                .contains("not run");
    }

    @Test
    void badShapeIsOneLineAndExitCodeTwo() {
        CliRun run = CliRun.nodemesh("lab", "--nodes", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--nodes 0 is outside 1..100");
        CliRun bytes = CliRun.nodemesh("lab", "--bytes", "1");
        assertThat(bytes.exitCode()).isEqualTo(2);
        assertThat(bytes.err()).contains("--bytes 1 is outside 2..60000");
        CliRun parameters = CliRun.nodemesh("lab", "--parameters", "/nonexistent/params.yaml");
        assertThat(parameters.exitCode()).isEqualTo(2);
        assertThat(parameters.err()).contains("--parameters: ").contains("/nonexistent/params.yaml");
    }
}
