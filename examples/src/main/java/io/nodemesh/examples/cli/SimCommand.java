package io.nodemesh.examples.cli;

import io.nodemesh.api.state.Locality;
import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.PlanInputException;
import io.nodemesh.planner.PlanReport;
import io.nodemesh.planner.PlanRequest;
import io.nodemesh.planner.Planner;
import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.ProgressListener;
import io.nodemesh.planner.TrafficPattern;
import io.nodemesh.planner.report.ReportWriter;
import io.nodemesh.planner.report.TableReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh sim}: the capacity planner on the command line. Shows, for a cluster shape, how many proxies and how
 * much memory per node each dataplane model costs, and — simulated with queueing — its p50/p99 latency at each load;
 * writes a table, CSV, JSON and PNG charts with {@code --report DIR}. Exit code 2 on bad input, nothing run.
 * <pre>
 * nodemesh sim --nodes 3 --services 20 --pods-per-service 5 --rps 1000,10000,50000 --report out/
 * </pre>
 */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        description =
                "Plan a mesh: proxies, memory per node and latency under load for sidecar, per-node and eBPF dataplanes.")
public final class SimCommand implements Callable<Integer> {
    @Option(names = "--nodes", required = true, description = "nodes in the cluster")
    int nodes;

    @Option(names = "--services", required = true, description = "services")
    int services;

    @Option(names = "--pods-per-service", required = true, description = "replicas of each service")
    int podsPerService;

    @Option(
            names = "--rps",
            split = ",",
            description = "cluster-wide offered loads to simulate, comma-separated (none: footprint only)")
    List<Double> rps = new ArrayList<>();

    @Option(
            names = "--models",
            description = "models, comma-separated: sidecar|node|ebpf, optionally +mtls or +wireguard "
                    + "(default: sidecar,sidecar+mtls,node,node+mtls,ebpf,ebpf+wireguard)")
    String models;

    @Option(names = "--report", description = "directory for table.txt, *.csv, plan.json and *.png")
    Path report;

    @Option(names = "--params", description = "parameter file (YAML; default: the built-in documented defaults)")
    Path params;

    @Option(
            names = "--message-bytes",
            defaultValue = "1024",
            description = "request and response size (default ${DEFAULT-VALUE})")
    int messageBytes;

    @Option(
            names = "--requests",
            defaultValue = "200000",
            description = "simulated requests per model and load (default ${DEFAULT-VALUE})")
    long requests;

    @Option(
            names = "--l7-fraction",
            defaultValue = "0",
            description = "fraction of services needing L7, 0..1 (default ${DEFAULT-VALUE})")
    double l7Fraction;

    @Option(
            names = "--max-pods-per-node",
            defaultValue = "110",
            description = "pods a node accepts (default ${DEFAULT-VALUE})")
    int maxPodsPerNode;

    @Option(
            names = "--traffic",
            defaultValue = "UNIFORM",
            description = "UNIFORM (random pairs) or PAIR (one cross-node flow)")
    TrafficPattern traffic;

    @Option(
            names = "--locality",
            defaultValue = "ANY",
            description = "which replica a request goes to: ANY (random) or PREFER_NODE (one on the client's node"
                    + " when there is one); the cross-node column shows the share that still crosses the wire")
    Locality locality;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-progress", description = "no progress bar on stderr")
    boolean noProgress;

    @Override
    public Integer call() {
        // Gather every problem (parameter file, model names, cluster, loads) before saying no, so one run shows them
        // all.
        List<String> problems = new ArrayList<>();
        PlannerParameters parameters = null;
        try {
            parameters = params == null ? ParameterFile.defaults() : ParameterFile.load(params);
        } catch (PlanInputException e) {
            problems.addAll(e.problems());
        }
        List<Model> modelList = Model.DEFAULTS;
        try {
            if (models != null) modelList = Model.parseList(models);
        } catch (IllegalArgumentException e) {
            problems.add("--models: " + e.getMessage());
        }
        ClusterShape shape = new ClusterShape(nodes, services, podsPerService, l7Fraction, maxPodsPerNode, 0, 0);
        PlanRequest request = new PlanRequest(shape, modelList, rps, messageBytes, requests, traffic, seed, locality);
        problems.addAll(request.problems());
        if (!problems.isEmpty()) return badInput(String.join("\n  ", problems));
        PlanReport plan;
        try (ProgressBar bar = new ProgressBar(System.err, !noProgress && !rps.isEmpty())) {
            plan = new Planner(parameters).plan(request, bar);
        } catch (PlanInputException e) {
            return badInput(String.join("\n  ", e.problems()));
        }
        System.out.print(TableReport.render(plan));
        if (report != null) {
            try {
                List<Path> files = ReportWriter.writeAll(plan, report);
                System.out.println("Report written: "
                        + files.stream().map(p -> p.getFileName().toString()).toList() + " in " + report);
            } catch (IOException e) {
                System.err.println("nodemesh sim: cannot write the report to " + report + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    private static int badInput(String message) {
        System.err.println("nodemesh sim: bad input, nothing was run:\n  " + message);
        return 2;
    }

    /** A one-line progress bar on stderr, redrawn at most ten times a second. */
    static final class ProgressBar implements ProgressListener, AutoCloseable {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private final boolean enabled;
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintStream out, boolean enabled) {
            this.out = out;
            this.enabled = enabled;
        }

        @Override
        public void progress(long done, long total, String what) {
            if (!enabled || total <= 0) return;
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            int filled = (int) (WIDTH * done / total);
            out.print(String.format(
                    Locale.ROOT,
                    "\r[%s%s] %3d%%  %-40s",
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled),
                    100 * done / total,
                    what));
            out.flush();
            drawn = true;
        }

        @Override
        public void close() {
            if (drawn) out.println();
        }
    }
}
