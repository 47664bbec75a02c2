package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.contract.Privileges;
import io.nodemesh.examples.cli.CliRun;
import io.nodemesh.netlab.Leftovers;
import io.nodemesh.netlab.Netns;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.calibration.Calibrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nodemesh calibrate} end to end on the real kernel with three short interleaved rounds: every path row gets a
 * verdict or says why not, the parameter file is written, and nothing is left behind. Never checks a timing.
 */
class CalibrateCommandRootTest {
    private final String prefix = "nmp" + ProcessHandle.current().pid();
    private final Path cgroup2 = io.nodemesh.ebpf.EbpfSettings.cgroup2Mount().orElse(Path.of("/sys/fs/cgroup/unified"));

    @TempDir
    Path work;

    @BeforeEach
    void gate() {
        Privileges.requireRoot();
        Privileges.require(
                Calibrator.missingTool().isEmpty(), Calibrator.missingTool().orElse(""));
        Optional<String> why = new EbpfRedirectPath().unavailability();
        Privileges.require(why.isEmpty(), "the ebpf backend is unavailable: " + why.orElse(""));
    }

    @AfterEach
    void noLeftovers() {
        List<String> leaks = new ArrayList<>();
        Path pins = EbpfRedirectPath.BPFFS.resolve(prefix);
        Path cgroup = cgroup2.resolve(prefix);
        if (Files.exists(pins)) leaks.add("pins " + pins);
        if (Files.exists(cgroup)) leaks.add("cgroup " + cgroup);
        leaks.addAll(Leftovers.namespaces(List.of(prefix + "-node", prefix + "-a", prefix + "-b")));
        leaks.addAll(Leftovers.processesMentioning(work.toString()));
        StaleKernelObjects.remove(pins, cgroup);
        for (String suffix : List.of("-node", "-a", "-b")) {
            if (Netns.exists(prefix + suffix)) Netns.named(prefix + suffix).delete();
        }
        assertThat(leaks).as("left behind").isEmpty();
    }

    @Test
    void threeInterleavedRoundsGiveEveryPathAVerdictOrTheReasonForNone() throws Exception {
        Path params = work.resolve("params.yaml");
        CliRun run = CliRun.nodemesh(
                "calibrate",
                "--out",
                params.toString(),
                "--repeats",
                "3",
                "--seconds",
                "1",
                "--large-bytes",
                "0",
                "--work-dir",
                work.resolve("w").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("round 1 of 3", "round 2 of 3", "round 3 of 3", "median of 3 interleaved rounds");
        List<String> rows = run.out()
                .lines()
                .filter(l -> l.startsWith("sidecar:")
                        || l.startsWith("node proxy:")
                        || l.startsWith("direct veth:")
                        || l.startsWith("eBPF socket redirect:"))
                .toList();
        assertThat(rows).hasSize(4).allSatisfy(row -> {
            if (row.contains("none (see below)")) {
                String path = row.substring(0, row.indexOf("  ")).strip();
                assertThat(run.out()).contains("No verdict for '" + path + "': ");
            } else {
                assertThat(row).containsAnyOf("within +-20%", "OUTSIDE +-20%");
            }
        });
        assertThat(ParameterFile.load(params).network().socketRedirect().source())
                .contains("median of 3 rounds");
    }

    @Test
    void badRepeatsAreRefusedBeforeAnythingIsMade() {
        CliRun run =
                CliRun.nodemesh("calibrate", "--out", work.resolve("p.yaml").toString(), "--repeats", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("bad input, nothing was run", "--repeats must be at least 1, got 0");
        assertThat(work.resolve("p.yaml")).doesNotExist();
    }
}
