package io.nodemesh.examples.lab;

import io.nodemesh.examples.calibrate.InRunCalibration;
import io.nodemesh.examples.demo.ClusterShape;
import io.nodemesh.examples.demo.ClusterShapeOptions;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.calibration.CalibrationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh lab}: the demo's cluster on this kernel. Nodes and pods are network namespaces (pods also get
 * cgroups), one agent per node runs {@code --backend ebpf,envoy,wireguard} with strict WireGuard, real TCP, UDP and
 * HTTP go from pods and hosts to service VIPs, and the tables show what the kernel did beside what the simulator and
 * the planner predict for the same state. Everything made is removed on exit, on failure and on Ctrl-C.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        description = {
            "Run the demo's cluster for real on this machine (needs root): node and pod network namespaces, one agent"
                    + " per node with --backend ebpf,envoy,wireguard (strict WireGuard), real TCP/UDP/HTTP traffic to"
                    + " service VIPs; prints latency per path (p50/p99) and bytes beside the simulator's and the"
                    + " planner's prediction, and the set-up time. Removes everything on exit, failure or Ctrl-C.",
            "With an envoy binary on PATH one Envoy per node runs from `nodemesh bootstrap`; without one the L7"
                    + " services are listed as not run."
        })
public final class LabCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClusterShapeOptions cluster;

    @Option(
            names = "--connections",
            defaultValue = "200",
            description = "connections to make (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(
            names = "--messages",
            defaultValue = "50",
            description = "timed round trips per connection (default: ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--bytes", defaultValue = "64", description = "bytes per message (default: ${DEFAULT-VALUE})")
    int bytes;

    @Option(
            names = "--parameters",
            paramLabel = "FILE",
            description = "the planner's parameters to predict with, e.g. from `nodemesh calibrate` on this machine"
                    + " (default: the built-in ones)")
    Path parameters;

    @Option(
            names = "--calibrate",
            description = "measure the hops (nodemesh calibrate: 3 rounds of 1 s runs, WireGuard crossing included) on"
                    + " this machine once the lab is up, under the load it makes, and predict with those")
    boolean calibrate;

    @Override
    public Integer call() throws Exception {
        ClusterShape shape = cluster.shape(spec.commandLine());
        long seed = cluster.seed();
        try {
            range("--connections", connections, 0, 100_000);
            range("--messages", messages, 1, 100_000);
            range("--bytes", bytes, 2, 60_000);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PlannerParameters network;
        try {
            network = parameters == null ? ParameterFile.defaults() : ParameterFile.load(parameters);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parameters: " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        if (!isRoot()) {
            err.println("nodemesh lab needs root: it creates network namespaces, cgroups, eBPF programs and WireGuard"
                    + " devices (try sudo)");
            return 1;
        }
        try (Lab lab = Lab.start(new LabSpec(shape, seed, "nml"), line -> {
            err.println("[lab] " + line);
            err.flush();
        })) {
            err.printf("[lab] ready in %d ms; %d connections%n", lab.setupTime().toMillis(), connections);
            err.flush();
            CpuPinning.wireguardGo(lab);
            if (calibrate) {
                long t0 = System.nanoTime();
                try {
                    network = InRunCalibration.run(network, bytes, line -> {
                        err.println("[calibrate] " + line);
                        err.flush();
                    });
                } catch (CalibrationException e) {
                    err.println("nodemesh lab: --calibrate failed, the lab is removed: " + e.getMessage());
                    return 1;
                }
                err.printf("[lab] calibrated in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                err.flush();
            }
            ModelLatency model = new ModelLatency(network.network());
            List<LabTraffic.Planned> plan = LabTraffic.plan(lab, seed, connections);
            LabTraffic.Run run = LabTraffic.run(lab, seed, plan, messages, bytes, model);
            LabPrinter.print(spec.commandLine().getOut(), shape, seed, lab, run, model, parametersOrigin(), bytes);
        }
        return 0;
    }

    private String parametersOrigin() {
        String base = parameters == null ? "built-in parameters" : "parameters from " + parameters;
        return calibrate ? "hops calibrated in this run, the rest from " + base : base;
    }

    /** Effective uid 0, as /proc/self/status says (the JDK has no portable call for it). */
    private static boolean isRoot() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
        }
        return false;
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max)
            throw new IllegalArgumentException(option + " " + value + " is outside " + min + ".." + max);
    }
}
