package io.nodemesh.examples.cli;

import static io.nodemesh.examples.cli.CliRun.nodemesh;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nodemesh sim}: a small plan writes every report form; bad input exits 2 naming each field, running nothing. */
class SimCommandTest {
    @Test
    void articleClusterWithReport(@TempDir Path dir) throws Exception {
        CliRun r = nodemesh(
                "sim",
                "--nodes",
                "3",
                "--services",
                "20",
                "--pods-per-service",
                "5",
                "--rps",
                "1000,4000",
                "--requests",
                "20000",
                "--models",
                "sidecar,node,ebpf",
                "--report",
                dir.toString(),
                "--no-progress");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sidecar", "100", "p50 us");
        for (String f : new String[] {"table.txt", "footprints.csv", "loads.csv", "plan.json", "latency-p99.png"}) {
            assertThat(dir.resolve(f)).exists();
        }
        assertThat(Files.readAllLines(dir.resolve("loads.csv"))).hasSize(1 + 3 * 2);
    }

    @Test
    void badInputExitsTwoNamingEveryField() {
        CliRun r = nodemesh(
                "sim",
                "--nodes",
                "0",
                "--services",
                "20",
                "--pods-per-service",
                "5",
                "--rps",
                "-5",
                "--models",
                "sidecar,istio",
                "--no-progress");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .contains(
                        "nothing was run",
                        "nodes must be >= 1",
                        "rps[0] must be a positive rate",
                        "dataplane 'istio' is not one of sidecar, node, ebpf");
        assertThat(r.out()).doesNotContain("p50");
    }

    @Test
    void podsThatFitOnNoNodeAndBadParameterFiles(@TempDir Path dir) throws Exception {
        CliRun tooSmall = nodemesh("sim", "--nodes", "2", "--services", "100", "--pods-per-service", "5");
        assertThat(tooSmall.exitCode()).isEqualTo(2);
        assertThat(tooSmall.err()).contains("pods fit on no node", "needs nodes >= 5");
        Path params = Files.writeString(dir.resolve("p.yaml"), "description: \"x\"\nnetwork: {}\n");
        CliRun bad = nodemesh(
                "sim", "--nodes", "3", "--services", "20", "--pods-per-service", "5", "--params", params.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("network.loopback is missing", "proxies is missing");
    }
}
