package io.nodemesh.planner.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.contract.Privileges;
import io.nodemesh.netlab.Leftovers;
import io.nodemesh.netlab.Netns;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.PlannerParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short real calibration: network namespaces {@code nmp<pid>-…}, HAProxy and sockperf pinned to CPU 0. Checks that
 * the measurements and the predicted-vs-measured table are produced (never their timing), that the parameter file it
 * yields reads back, and that no namespace or process is left behind — also when a step fails.
 */
class CalibrationRootTest {
    private final String prefix = "nmp" + ProcessHandle.current().pid();

    @TempDir
    Path work;

    @BeforeEach
    void gate() {
        Privileges.requireRoot();
        Privileges.require(
                Calibrator.missingTool().isEmpty(), Calibrator.missingTool().orElse(""));
        Privileges.require(
                TunnelLab.unavailability().isEmpty(), TunnelLab.unavailability().orElse(""));
        NetnsLab.sweepStale(prefix);
    }

    @AfterEach
    void noLeftovers() {
        List<String> leaks = new ArrayList<>();
        leaks.addAll(Leftovers.namespaces(
                List.of(prefix + "-node", prefix + "-a", prefix + "-b", prefix + "-w1", prefix + "-w2")));
        leaks.addAll(Leftovers.processesMentioning(work.toString()));
        leaks.addAll(Leftovers.processesMentioning(prefix + "w1"));
        leaks.addAll(Leftovers.processesMentioning(prefix + "w2"));
        for (String link : List.of(prefix + "w1", prefix + "w2")) {
            if (Files.exists(Path.of("/var/run/wireguard", link + ".sock"))) leaks.add("UAPI socket of " + link);
        }
        // Remove whatever leaked so the next run starts clean, then fail.
        try (NetnsLab lab = new NetnsLab(prefix)) {
            for (String ns : List.of(lab.node, lab.podA, lab.podB, prefix + "-w1", prefix + "-w2")) {
                if (Netns.exists(ns)) Netns.named(ns).delete();
            }
        }
        assertThat(leaks).as("left behind").isEmpty();
    }

    @Test
    void shortCalibrationMeasuresHopsAndPrintsTheComparison() {
        List<String> log = new ArrayList<>();
        CalibrationOptions options = new CalibrationOptions(prefix, 1, 0, 64, 0, work, log::add);
        CalibrationResult r = Calibrator.run(options, ParameterFile.defaults(), unavailable("test: no eBPF here"));

        assertThat(r.measurements())
                .extracting(Measurement::name)
                .containsExactly(
                        "loopback",
                        "podToPod",
                        "podToNode",
                        "relayPath",
                        "underlay",
                        "wireguardPath",
                        "sidecarPath",
                        "nodeProxyPath",
                        "directPath");
        assertThat(r.measurements()).allSatisfy(m -> assertThat(m.p50Us()).isPositive());
        assertThat(r.comparisons()).hasSize(4);
        assertThat(r.comparisons().stream().filter(Comparison::measured))
                .hasSize(3)
                .allSatisfy(c -> assertThat(c.predictedUs()).isPositive());
        assertThat(r.comparisons().getLast().measured())
                .as("socket redirect comes from the parameter file")
                .isFalse();
        assertThat(r.comparisons().getLast().note()).as("the reason is printed").contains("test: no eBPF here");
        assertThat(r.parameters().network().socketRedirect())
                .isEqualTo(ParameterFile.defaults().network().socketRedirect());
        assertThat(r.comparisonTable())
                .contains(
                        "predicted us",
                        "measured us",
                        "sidecar",
                        "node proxy",
                        "direct veth",
                        "eBPF socket redirect",
                        "n/a");
        assertThat(r.parameters().network().podToPod().source()).contains("nodemesh calibrate");
        assertThat(r.parameters().network().wireguard().source())
                .as("one WireGuard crossing is measured, not assumed")
                .contains("wireguard-go tunnel path - its underlay");
        assertThat(r.parameters().network().wireguard().fixedUs()).isPositive();
        assertThat(r.parameters().network().nodeToNode())
                .as("the wire between machines cannot be measured on one")
                .isEqualTo(ParameterFile.defaults().network().nodeToNode());

        PlannerParameters back = ParameterFile.parse(ParameterFile.write(r.parameters(), "test"), "calibrated");
        assertThat(back).isEqualTo(r.parameters());
        assertThat(log).anyMatch(l -> l.contains(prefix + "-node"));
    }

    @Test
    void aFailedStepStillRemovesEverything() {
        // CPU 4095 does not exist: the first pinned daemon (wireguard-go) fails to start, after the namespaces were
        // made.
        CalibrationOptions options = new CalibrationOptions(prefix, 1, 4095, 64, 0, work, s -> {});
        assertThatThrownBy(() -> Calibrator.run(options, ParameterFile.defaults()))
                .isInstanceOf(CalibrationException.class)
                .hasMessageContaining("did not start");
    }

    /** A redirect path that is never available here: its install must never be called. */
    private static RedirectPath unavailable(String reason) {
        return new RedirectPath() {
            @Override
            public java.util.Optional<String> unavailability() {
                return java.util.Optional.of(reason);
            }

            @Override
            public Installed install(String prefix, List<Pod> pods) {
                throw new AssertionError("install called although unavailable");
            }
        };
    }
}
