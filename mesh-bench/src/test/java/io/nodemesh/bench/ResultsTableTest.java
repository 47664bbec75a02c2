package io.nodemesh.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table from JMH's JSON: ratios to the floor of the same class and size. Runs no benchmark. */
class ResultsTableTest {
    @TempDir
    Path dir;

    private static String result(String benchmark, String services, double score) {
        return """
                {"benchmark": "io.nodemesh.bench.%s", "mode": "avgt", "params": {"services": "%s"},
                 "primaryMetric": {"score": %s, "scoreError": 0.5, "scoreUnit": "ms/op"}}""".formatted(benchmark, services, score);
    }

    @Test
    void eachResultIsDividedByTheFloorOfItsClassAndSize() throws IOException {
        Path json = dir.resolve("r.json");
        Files.writeString(
                json,
                "["
                        + String.join(
                                ",",
                                result("ValidateBenchmark.full", "10000", 300),
                                result("ValidateBenchmark.floor", "10000", 10),
                                result("ValidateBenchmark.full", "1000", 20),
                                result("ValidateBenchmark.floor", "1000", 2),
                                result("DiffBenchmark.oneChange", "1000", 1))
                        + "]");
        String table = ResultsTable.markdown(ResultsTable.read(json));
        assertThat(table.lines())
                .containsSubsequence(
                        "| DiffBenchmark.oneChange | services=1000 | 1.00 ms/op | 0.5000 | no floor | - |",
                        "| ValidateBenchmark.full | services=1000 | 20.0 ms/op | 0.5000 | 10.0× | 2.00 ms/op |",
                        "| ValidateBenchmark.floor | services=1000 | 2.00 ms/op | 0.5000 | 1 (floor) | 2.00 ms/op |",
                        "| ValidateBenchmark.full | services=10000 | 300 ms/op | 0.5000 | 30.0× | 10.0 ms/op |");
    }

    @Test
    void somethingElseThanJmhJsonIsAnErrorNamingTheFile() throws IOException {
        Path json = dir.resolve("bad.json");
        Files.writeString(json, "{}");
        assertThatThrownBy(() -> ResultsTable.read(json))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bad.json");
    }
}
