package io.nodemesh.examples.calibrate;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.planner.calibration.CalibrationException;
import io.nodemesh.planner.calibration.RedirectPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calibration's socket-redirect hop through nodemesh's own eBPF dataplane: {@link EbpfDataplane} installed with its
 * pins under {@code /sys/fs/bpf/<prefix>} and its programs at the cgroup {@code <cgroup2>/<prefix>}, programmed with a
 * state holding just the calibration's pods on one node.
 */
public final class EbpfRedirectPath implements RedirectPath {
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    static final String NODE = "calibrate";
    private static final Logger LOG = LoggerFactory.getLogger(EbpfRedirectPath.class);

    private final Path cgroup2;

    public EbpfRedirectPath() {
        this(EbpfSettings.cgroup2Mount().orElse(Path.of("/sys/fs/cgroup/unified")));
    }

    EbpfRedirectPath(Path cgroup2) {
        this.cgroup2 = cgroup2;
    }

    @Override
    public Optional<String> unavailability() {
        try {
            Availability a = Dataplanes.available().get(EbpfDataplane.NAME);
            if (a == null) return Optional.of("no '" + EbpfDataplane.NAME + "' provider on the module/class path");
            if (a instanceof Availability.Unavailable(String reason)) return Optional.of(reason);
            if (!Files.isDirectory(cgroup2)) return Optional.of("no cgroup v2 mount (looked at " + cgroup2 + ")");
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("checking the eBPF backend failed: " + e.getMessage());
        }
    }

    @Override
    public Installed install(String prefix, List<Pod> pods) {
        if (!prefix.matches("[a-z]+\\d+"))
            throw new IllegalArgumentException("prefix must be letters then a pid, got " + prefix);
        String letters = prefix.replaceAll("\\d+$", "");
        Path pins = BPFFS.resolve(prefix);
        Path cgroup = cgroup2.resolve(prefix);
        EbpfDataplane dp = null;
        Bpf.RunStats stats = null;
        try {
            List<String> swept = StaleKernelObjects.sweep(letters, BPFFS, cgroup2);
            if (!swept.isEmpty()) LOG.info("removed pins and cgroups of dead calibration runs: {}", swept);
            StaleKernelObjects.remove(pins, cgroup); // our own pid's leftovers (a reused pid): start clean
            Files.createDirectories(cgroup);
            Bpf bpf = Bpf.system();
            dp = EbpfDataplane.open(
                    bpf,
                    new DataplaneOptions(NODE, Map.of())
                            .with("ebpf.pinRoot", pins.toString())
                            .with("ebpf.cgroupRoot", cgroup.toString()));
            dp.apply(state(pods));
            // Run counts prove the redirect: the kernel counts program runs only while someone holds stats enabled.
            stats = bpf.enableRunStats();
            return new EbpfInstalled(dp, stats, cgroup, pins);
        } catch (Exception e) {
            if (stats != null) stats.close();
            if (dp != null) {
                try {
                    dp.uninstall();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            try {
                StaleKernelObjects.remove(pins, cgroup);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new CalibrationException(
                    "installing the eBPF redirect (pins " + pins + ", cgroup " + cgroup + ") failed: " + e.getMessage(),
                    e);
        }
    }

    /** The calibration's pods on one node, each with its address, a SPIFFE identity and its network namespace. */
    static MeshState state(List<Pod> pods) {
        var b = MeshState.builder().node(Node.of(NODE, "192.0.2.1", cidrOf(pods)));
        for (Pod p : pods) {
            b.workload(new Workload(
                    "calibrate",
                    p.name(),
                    NODE,
                    List.of(p.ip()),
                    "spiffe://cluster.local/ns/calibrate/sa/" + p.name(),
                    Map.of("app", p.name()),
                    new Placement(p.netnsPath(), "")));
        }
        return b.build();
    }

    /** The /24 of the first pod: the calibration's pods share one. */
    private static String cidrOf(List<Pod> pods) {
        if (pods.isEmpty()) throw new IllegalArgumentException("no pods to redirect between");
        String ip = pods.getFirst().ip();
        return ip.substring(0, ip.lastIndexOf('.')) + ".0/24";
    }
}
