package io.nodemesh.examples.calibrate;

import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.calibration.CalibrationException;
import io.nodemesh.planner.calibration.CalibrationOptions;
import io.nodemesh.planner.calibration.CalibrationResult;
import io.nodemesh.planner.calibration.Calibrator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh calibrate --out params.yaml} (root): measures this machine's per-hop costs in network namespaces
 * ({@code nmp<pid>-…}, 10.220.0.0/16) with HAProxy and pinned sockperf, writes a parameter file for {@code nodemesh sim
 * --params}, and prints the simulator's predicted p50 next to the measured one for real sidecar, node-proxy, direct
 * and eBPF socket-redirect paths (the last through nodemesh's eBPF dataplane, pins {@code /sys/fs/bpf/nmp<pid>} and
 * cgroup {@code nmp<pid>}; "n/a" with the reason when the backend is unavailable or {@code --no-redirect}).
 * Everything it creates is removed when it ends, also on failure.
 * <p>
 * A noisy host must not decide the result, so it runs {@code --repeats} rounds ({@link InterleavedPlan}: hops, paths,
 * hops, paths …), prints each row's median and spread, and gives a path a verdict only when the rounds agree: the
 * statistics and the rule are in {@link RepeatedCalibration}. The parameter file holds the medians of the rounds' fits.
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description =
                "Measure per-hop costs here (needs root) and write a planner parameter file; compare predicted and measured p50.")
public final class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "parameter file to write (YAML)")
    Path out;

    @Option(names = "--params", description = "base parameters for what is not measured here (default: built-in)")
    Path params;

    @Option(
            names = "--seconds",
            defaultValue = "3",
            description = "seconds per sockperf run (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--cpu", defaultValue = "0", description = "CPU to pin every process to (default ${DEFAULT-VALUE})")
    int cpu;

    @Option(
            names = "--small-bytes",
            defaultValue = "64",
            description = "message size of the comparison (default ${DEFAULT-VALUE})")
    int smallBytes;

    @Option(
            names = "--large-bytes",
            defaultValue = "16384",
            description = "second size to fit per-KiB slopes; 0 keeps the base slopes (default ${DEFAULT-VALUE})")
    int largeBytes;

    @Option(
            names = "--no-redirect",
            description = "do not measure the eBPF socket-redirect hop (keep the parameter file's)")
    boolean noRedirect;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            description = "interleaved rounds (hops, then paths, each round); a verdict needs 3 or more"
                    + " (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(
            names = "--tolerance",
            defaultValue = "20",
            description = "goal for predicted against measured, +- percent; a row whose rounds spread wider gets no"
                    + " verdict (default ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--work-dir", description = "where HAProxy configs and logs go (default: a temporary directory)")
    Path workDir;

    @Override
    public Integer call() {
        if (!isRoot()) {
            System.err.println(
                    "nodemesh calibrate: needs root (it creates network namespaces and veth pairs); run it with sudo");
            return 1;
        }
        PlannerParameters base;
        CalibrationOptions options;
        InterleavedPlan plan;
        try {
            plan = new InterleavedPlan(repeats);
            if (!(tolerance > 0))
                throw new IllegalArgumentException("--tolerance must be more than 0 percent, got " + tolerance);
            base = params == null ? ParameterFile.defaults() : ParameterFile.load(params);
            Path dir = workDir != null ? workDir : Files.createTempDirectory("nodemesh-calibrate");
            options = new CalibrationOptions(
                    "nmp" + ProcessHandle.current().pid(),
                    seconds,
                    cpu,
                    smallBytes,
                    largeBytes,
                    dir,
                    System.out::println);
        } catch (IllegalArgumentException e) { // includes PlanInputException (bad parameter file)
            System.err.println("nodemesh calibrate: bad input, nothing was run: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("nodemesh calibrate: cannot create a work directory: " + e.getMessage());
            return 1;
        }
        RepeatedCalibration result;
        try {
            List<CalibrationResult> rounds = plan.run(
                    () -> Calibrator.run(options, base, noRedirect ? null : new EbpfRedirectPath()),
                    System.out::println);
            result = RepeatedCalibration.of(rounds, tolerance);
        } catch (CalibrationException e) {
            System.err.println("nodemesh calibrate: " + e.getMessage());
            return 1;
        }
        System.out.println();
        System.out.println("Hops measured, median of " + repeats + " interleaved rounds (one-way p50, sockperf TCP"
                + " ping-pong pinned to CPU " + cpu + "; spread = IQR / median):");
        System.out.print(CalibrationTables.hops(result));
        System.out.println();
        System.out.println("Simulator against reality (goal: within +-" + RepeatedCalibration.trim(tolerance)
                + "%; error = median over rounds, spread = IQR of the rounds' errors):");
        System.out.print(CalibrationTables.paths(result));
        System.out.print(CalibrationTables.withheld(result));
        try {
            Files.writeString(
                    out,
                    ParameterFile.write(
                            result.parameters(),
                            "Written by nodemesh calibrate. Measured hops replace the defaults; the rest is from the base parameters.\n"
                                    + "Use with: nodemesh sim --params " + out.getFileName() + " …"));
        } catch (IOException e) {
            System.err.println("nodemesh calibrate: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
        System.out.println();
        System.out.println("Parameter file written: " + out);
        return 0;
    }

    private static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status"))
                    .lines()
                    .filter(l -> l.startsWith("Uid:"))
                    .findFirst()
                    .map(l -> l.split("\\s+")[1].equals("0"))
                    .orElse(false);
        } catch (IOException e) {
            return false;
        }
    }
}
