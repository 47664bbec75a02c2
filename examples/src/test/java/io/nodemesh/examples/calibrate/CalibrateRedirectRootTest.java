package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.contract.Privileges;
import io.nodemesh.netlab.Leftovers;
import io.nodemesh.netlab.Netns;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.calibration.CalibrationException;
import io.nodemesh.planner.calibration.CalibrationOptions;
import io.nodemesh.planner.calibration.CalibrationResult;
import io.nodemesh.planner.calibration.Calibrator;
import io.nodemesh.planner.calibration.Comparison;
import io.nodemesh.planner.calibration.Measurement;
import io.nodemesh.planner.calibration.RedirectPath;
import java.io.IOException;
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
 * A short real calibration with the socket-redirect row measured through nodemesh's eBPF dataplane (pins
 * {@code /sys/fs/bpf/nmp<pid>}, cgroup {@code <cgroup2>/nmp<pid>}, namespaces {@code nmp<pid>-…}). Checks that the row
 * is produced with the kernel's proof (never its timing), that a run outside the redirect cgroup — the veth path — is
 * refused rather than printed, and that no pin, cgroup, namespace or process is left behind either way.
 */
class CalibrateRedirectRootTest {
    private final String prefix = "nmp" + ProcessHandle.current().pid();
    private final Path cgroup2 = io.nodemesh.ebpf.EbpfSettings.cgroup2Mount().orElse(Path.of("/sys/fs/cgroup/unified"));
    /** The decoy cgroup of the veth-path test: a sibling of the redirect cgroup, with no program attached. */
    private final Path decoy = cgroup2.resolve(prefix + "-veth");

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
        try {
            if (Files.exists(decoy.resolve("cgroup.procs"))
                    && !Files.readString(decoy.resolve("cgroup.procs")).isBlank()) {
                leaks.add("processes in " + decoy + ": "
                        + Files.readString(decoy.resolve("cgroup.procs")).strip());
            }
        } catch (IOException e) {
            leaks.add("cannot read " + decoy + ": " + e.getMessage());
        }
        // Remove whatever leaked (and the decoy) so the next run starts clean, then fail.
        StaleKernelObjects.remove(pins, cgroup);
        io.nodemesh.netlab.Cgroups.removeTree(decoy);
        for (String suffix : List.of("-node", "-a", "-b")) {
            if (Netns.exists(prefix + suffix)) Netns.named(prefix + suffix).delete();
        }
        assertThat(leaks).as("left behind").isEmpty();
    }

    @Test
    void shortCalibrationMeasuresTheRedirectRowWithProof() {
        List<String> log = new ArrayList<>();
        CalibrationOptions options = new CalibrationOptions(prefix, 1, 0, 64, 0, work, log::add);
        CalibrationResult r = Calibrator.run(options, ParameterFile.defaults(), new EbpfRedirectPath());

        assertThat(r.measurements()).extracting(Measurement::name).contains("redirect", "redirectPath");
        assertThat(r.measurements())
                .filteredOn(m -> m.name().startsWith("redirect") && !m.name().equals("relayPath"))
                .hasSize(2)
                .allSatisfy(m -> {
                    assertThat(m.p50Us()).isPositive();
                    assertThat(m.how()).contains("proof: 2 sockets in the map");
                });
        Comparison ebpf = r.comparisons().getLast();
        assertThat(ebpf.path()).contains("eBPF socket redirect");
        assertThat(ebpf.measured())
                .as("the redirect row is measured, not taken from the parameter file")
                .isTrue();
        assertThat(ebpf.predictedUs()).isPositive();
        assertThat(r.comparisonTable().lines().filter(l -> l.startsWith("eBPF")))
                .singleElement()
                .satisfies(l -> assertThat(l).doesNotContain("n/a"));
        assertThat(r.parameters().network().socketRedirect().source()).contains("nodemesh calibrate", "eBPF dataplane");
        assertThat(ParameterFile.parse(ParameterFile.write(r.parameters(), "test"), "calibrated"))
                .isEqualTo(r.parameters());
        assertThat(log).anyMatch(l -> l.contains("socket redirect installed"));
    }

    @Test
    void aRunThatTookTheVethPathFailsInsteadOfPrinting() throws IOException {
        // The processes go to a cgroup with no program: their sockets take veth + bridge, as with a broken install.
        Files.createDirectories(decoy);
        RedirectPath real = new EbpfRedirectPath();
        RedirectPath misplaced = new RedirectPath() {
            @Override
            public Optional<String> unavailability() {
                return real.unavailability();
            }

            @Override
            public Installed install(String p, List<Pod> pods) {
                Installed in = real.install(p, pods);
                return new Installed() {
                    @Override
                    public Path cgroup() {
                        return decoy;
                    }

                    @Override
                    public long messagesHandled() {
                        return in.messagesHandled();
                    }

                    @Override
                    public int socketsBetween(String a, String b, int port) {
                        return in.socketsBetween(a, b, port);
                    }

                    @Override
                    public String description() {
                        return in.description();
                    }

                    @Override
                    public void close() {
                        in.close();
                    }
                };
            }
        };
        CalibrationOptions options = new CalibrationOptions(prefix, 1, 0, 64, 0, work, s -> {});
        assertThatThrownBy(() -> Calibrator.run(options, ParameterFile.defaults(), misplaced))
                .isInstanceOf(CalibrationException.class)
                .hasMessageContaining("redirect at 64 B was not redirected")
                .hasMessageContaining("held at most 0 socket(s)");
    }
}
