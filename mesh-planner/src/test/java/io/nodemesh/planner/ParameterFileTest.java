package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterFileTest {
    private static String defaultsText() {
        return ParameterFile.write(ParameterFile.defaults(), "test");
    }

    @Test
    void defaultsCarryTheDocumentedNumbersAndASourceForEach() {
        PlannerParameters p = ParameterFile.defaults();
        assertThat(p.network().podToPod().fixedUs()).isEqualTo(3.9);
        assertThat(p.network().socketRedirect().fixedUs()).isEqualTo(2.15);
        assertThat(p.sidecar().workers()).isEqualTo(2);
        // Istio 1.24 at 1 KiB: sidecar 100 us per traversal (0.20 vCPU / 1000 rps), ztunnel 30 us (0.06 vCPU).
        assertThat(p.sidecar().cpuUs(1024, true, true)).isCloseTo(100, within(1e-9));
        assertThat(p.nodeProxy().cpuUs(1024, false, true)).isCloseTo(30, within(1e-9));
        assertThat(p.sidecar().memory().mb(1000, 2000)).isCloseTo(60, within(1e-9));
        assertThat(p.nodeProxy().memory().mb(1000, 2000)).isCloseTo(12, within(1e-9));
        assertThat(p.network().loopback().source()).contains("DESIGN.md");
        assertThat(p.sidecar().http().source()).contains("Istio 1.24");
    }

    @Test
    void writeThenParseGivesTheSameParameters(@TempDir Path dir) throws Exception {
        PlannerParameters p = ParameterFile.defaults();
        Path file = dir.resolve("params.yaml");
        Files.writeString(file, ParameterFile.write(p, "round trip\nsecond line"));
        assertThat(ParameterFile.load(file)).isEqualTo(p);
    }

    @Test
    void missingValueIsNamed() {
        String text = defaultsText().replaceFirst("perKbUs: 0\\.62, ", "");
        assertThatThrownBy(() -> ParameterFile.parse(text, "p.yaml"))
                .isInstanceOf(PlanInputException.class)
                .hasMessageContaining("p.yaml")
                .hasMessageContaining("network.podToPod.perKbUs is missing");
    }

    @Test
    void negativeValuesAreNamedAllAtOnce() {
        String text = defaultsText().replace("fixedUs: 3.9,", "fixedUs: -3.9,").replace("baseMb: 10.0", "baseMb: -1");
        assertThatThrownBy(() -> ParameterFile.parse(text, "p.yaml"))
                .isInstanceOfSatisfying(
                        PlanInputException.class,
                        e -> assertThat(e.problems())
                                .anyMatch(s ->
                                        s.contains("network.podToPod.fixedUs must be a finite number >= 0, got -3.9"))
                                .anyMatch(s -> s.contains(
                                        "proxies.nodeProxy.memory.baseMb must be a finite number >= 0, got -1")));
    }

    @Test
    void missingGroupsSourcesUnknownKeysAndBadWorkersAreRejected() {
        String noNetwork = defaultsText().replaceAll("(?s)\nnetwork:.*?\n\n", "\n");
        assertThatThrownBy(() -> ParameterFile.parse(noNetwork, "p.yaml")).hasMessageContaining("network is missing");
        String noSource = defaultsText().replaceFirst(", source: \"[^\"]*\"}", "}");
        assertThatThrownBy(() -> ParameterFile.parse(noSource, "p.yaml"))
                .hasMessageContaining("network.loopback.source is missing");
        String typo = defaultsText().replace("perKbUs: 0.62,", "perKbUs: 0.62, perKBUs: 1,");
        assertThatThrownBy(() -> ParameterFile.parse(typo, "p.yaml"))
                .hasMessageContaining("network.podToPod.perKBUs is not a known key");
        String noWorkers = defaultsText().replaceFirst("count: 2,", "count: 0,");
        assertThatThrownBy(() -> ParameterFile.parse(noWorkers, "p.yaml"))
                .hasMessageContaining("proxies.sidecar.workers.count must be a whole number >= 1");
        String text = defaultsText().replaceFirst("fixedUs: 3.9,", "fixedUs: fast,");
        assertThatThrownBy(() -> ParameterFile.parse(text, "p.yaml"))
                .hasMessageContaining("network.podToPod.fixedUs must be a number, got 'fast'");
    }

    @Test
    void unreadableOrNonYamlFilesAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ParameterFile.load(dir.resolve("absent.yaml")))
                .hasMessageContaining("absent.yaml: cannot read");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "network: [unclosed");
        assertThatThrownBy(() -> ParameterFile.load(bad)).hasMessageContaining("bad.yaml: not valid YAML");
    }
}
