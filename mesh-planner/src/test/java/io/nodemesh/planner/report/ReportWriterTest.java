package io.nodemesh.planner.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.PlanReport;
import io.nodemesh.planner.PlanRequest;
import io.nodemesh.planner.Planner;
import io.nodemesh.planner.ProgressListener;
import io.nodemesh.planner.TrafficPattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static PlanReport report;
    private static final List<Long> progress = new ArrayList<>();

    @BeforeAll
    static void plan() {
        PlanRequest req = new PlanRequest(
                ClusterShape.of(4, 10, 3).withL7Fraction(0.3),
                Model.parseList("sidecar,node,ebpf"),
                List.of(2000.0, 8000.0),
                512,
                70_000,
                TrafficPattern.UNIFORM,
                11);
        report = new Planner(ParameterFile.defaults()).plan(req, (done, total, what) -> progress.add(done));
    }

    @Test
    void progressIsReportedUpToTheTotal() {
        assertThat(progress).isSorted().isNotEmpty();
        assertThat(progress.getLast()).isEqualTo(3 * 2 * 70_000L);
    }

    @Test
    void writesTableCsvJsonAndPngCharts(@TempDir Path dir) throws Exception {
        List<Path> files = ReportWriter.writeAll(report, dir);
        assertThat(files)
                .extracting(p -> p.getFileName().toString())
                .contains(
                        "table.txt",
                        "footprints.csv",
                        "loads.csv",
                        "plan.json",
                        "proxies-per-node.png",
                        "memory-per-node.png",
                        "latency-p50.png",
                        "latency-p99.png");
        for (Path f : files) {
            if (f.toString().endsWith(".png")) {
                byte[] head = Arrays8.head(f);
                assertThat(head).startsWith(0x89, 'P', 'N', 'G');
                assertThat(Files.size(f)).isGreaterThan(5_000);
            }
        }
        String table = Files.readString(dir.resolve("table.txt"));
        assertThat(table).contains("sidecar", "node", "ebpf", "p50 us", "MB/node mean");
        List<String> csv = Files.readAllLines(dir.resolve("loads.csv"));
        assertThat(csv).hasSize(1 + 6);
        assertThat(csv.get(0)).startsWith("model,offered_rps,");
        assertThat(Files.readAllLines(dir.resolve("footprints.csv"))).hasSize(1 + 3);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("plan.json").toFile());
        assertThat(json.get("cluster").get("pods").asLong()).isEqualTo(30);
        assertThat(json.get("loads")).hasSize(6);
        assertThat(json.get("footprints").get(0).get("proxies").asLong()).isEqualTo(30);
    }

    @Test
    void sameSeedSameReport() {
        PlanRequest again = report.request();
        PlanReport second = new Planner(ParameterFile.defaults()).plan(again, ProgressListener.NONE);
        assertThat(second.loads()).isEqualTo(report.loads());
        PlanRequest otherSeed = new PlanRequest(
                again.shape(),
                again.models(),
                again.rps(),
                again.messageBytes(),
                again.requestsPerLoad(),
                again.traffic(),
                12);
        assertThat(new Planner(ParameterFile.defaults())
                        .plan(otherSeed, ProgressListener.NONE)
                        .loads())
                .isNotEqualTo(report.loads());
    }

    /** First bytes of a file. */
    static final class Arrays8 {
        static byte[] head(Path f) throws java.io.IOException {
            try (var in = Files.newInputStream(f)) {
                return in.readNBytes(4);
            }
        }
    }
}
