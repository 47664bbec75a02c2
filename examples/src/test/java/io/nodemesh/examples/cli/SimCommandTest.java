package io.nodemesh.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nodemesh sim}: a small plan writes every report form; bad input exits 2 naming each field, running nothing. */
class SimCommandTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = NodemeshCommand.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void articleClusterWithReport(@TempDir Path dir) throws Exception {
        Run r = run("sim", "--nodes", "3", "--services", "20", "--pods-per-service", "5", "--rps", "1000,4000",
                "--requests", "20000", "--models", "sidecar,node,ebpf", "--report", dir.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("sidecar", "100", "p50 us");
        for (String f : new String[] {"table.txt", "footprints.csv", "loads.csv", "plan.json", "latency-p99.png"}) {
            assertThat(dir.resolve(f)).exists();
        }
        assertThat(Files.readAllLines(dir.resolve("loads.csv"))).hasSize(1 + 3 * 2);
    }

    @Test
    void badInputExitsTwoNamingEveryField() {
        Run r = run("sim", "--nodes", "0", "--services", "20", "--pods-per-service", "5", "--rps", "-5",
                "--models", "sidecar,istio", "--no-progress");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nothing was run", "nodes must be >= 1", "rps[0] must be a positive rate",
                "dataplane 'istio' is not one of sidecar, node, ebpf");
        assertThat(r.out()).doesNotContain("p50");
    }

    @Test
    void podsThatFitOnNoNodeAndBadParameterFiles(@TempDir Path dir) throws Exception {
        Run tooSmall = run("sim", "--nodes", "2", "--services", "100", "--pods-per-service", "5");
        assertThat(tooSmall.code()).isEqualTo(2);
        assertThat(tooSmall.err()).contains("pods fit on no node", "needs nodes >= 5");
        Path params = Files.writeString(dir.resolve("p.yaml"), "description: \"x\"\nnetwork: {}\n");
        Run bad = run("sim", "--nodes", "3", "--services", "20", "--pods-per-service", "5", "--params", params.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("network.loopback is missing", "proxies is missing");
    }
}
