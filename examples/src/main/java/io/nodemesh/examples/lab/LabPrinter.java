package io.nodemesh.examples.lab;

import io.nodemesh.api.state.Service;
import io.nodemesh.examples.demo.ClusterShape;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints the lab's tables, shaped like {@code nodemesh demo}'s: connections by path and verdict, then per path and
 * kind the measured one-way latency (half the round trip, p50 and p99) and bytes beside the planner's prediction and
 * the ratio (the goal is within ±20%; printed, not asserted), then how often the simulator agreed.
 */
final class LabPrinter {
    private LabPrinter() {}

    static void print(
            PrintWriter out,
            ClusterShape shape,
            long seed,
            Lab lab,
            LabTraffic.Run run,
            ModelLatency model,
            String parameters,
            int bytes) {
        List<LabTraffic.Done> done = run.done();
        out.printf("nodemesh lab: the demo's cluster on this kernel (seed %d)%n", seed);
        out.printf(
                "  %d nodes, %d services x %d pods = %d pods; one agent per node: ebpf,envoy,wireguard (strict)%n",
                shape.nodes(), shape.services(), shape.podsPerService(), shape.pods());
        out.printf(
                Locale.ROOT,
                "  set-up: %.1f s (namespaces, cgroups, pods, agents to /readyz)%n",
                lab.setupTime().toMillis() / 1000.0);
        List<String> l7 = lab.state().services().stream()
                .filter(Service::l7)
                .map(Service::key)
                .toList();
        if (!l7.isEmpty() && lab.envoy().isEmpty())
            out.printf("  L7 services %s: not run: no envoy binary on PATH%n", String.join(", ", l7));
        if (!lab.swept().isEmpty()) out.printf("  removed first, left by a dead lab: %s%n", lab.swept());
        out.println();

        out.println("Connections by path and kind (what the kernel did)");
        out.printf("  %-33s %7s %7s %7s %7s%n", "path", "tcp", "udp", "http", "total");
        for (LabPath path : LabPath.values()) {
            Map<PodCommand.Kind, Long> byKind = new EnumMap<>(PodCommand.Kind.class);
            done.stream()
                    .filter(d -> d.path() == path)
                    .forEach(d -> byKind.merge(d.planned().kind(), 1L, Long::sum));
            long total = byKind.values().stream().mapToLong(Long::longValue).sum();
            if (total == 0 && path == LabPath.FAILED) continue;
            out.printf(
                    "  %-33s %7d %7d %7d %7d%n",
                    path.label,
                    byKind.getOrDefault(PodCommand.Kind.tcp, 0L),
                    byKind.getOrDefault(PodCommand.Kind.udp, 0L),
                    byKind.getOrDefault(PodCommand.Kind.http, 0L),
                    total);
        }
        out.println();

        out.println("Latency one way (RTT/2) per path, measured vs predicted; pods pinned to CPU 0");
        out.printf(
                "  %-33s %-5s %8s %9s %9s %9s %9s %9s %7s %12s%n",
                "path", "kind", "samples", "p50 us", "p99 us", "kernel", "+app", "predicted", "ratio", "bytes");
        for (LabPath path : List.of(LabPath.SAME_NODE, LabPath.CROSS_NODE, LabPath.HOST_TO_POD)) {
            for (PodCommand.Kind kind : PodCommand.Kind.values()) {
                List<LabTraffic.Done> row = done.stream()
                        .filter(d -> d.path() == path && d.planned().kind() == kind)
                        .toList();
                long[] oneWay = row.stream()
                        .flatMapToLong(d -> Arrays.stream(
                                ((Outcome.Reached) d.outcome()).result().rttNanos()))
                        .map(n -> n / 2)
                        .sorted()
                        .toArray();
                if (oneWay.length == 0) continue;
                double p50 = quantile(oneWay, 0.50) / 1000.0;
                double p99 = quantile(oneWay, 0.99) / 1000.0;
                double kernel = median(
                        row.stream().mapToDouble(LabTraffic.Done::modelUs).toArray());
                double app = appUs(run, kind, model, bytes);
                long total = row.stream()
                        .mapToLong(d -> ((Outcome.Reached) d.outcome()).result().bytes())
                        .sum();
                out.printf(
                        Locale.ROOT,
                        "  %-33s %-5s %8d %9.1f %9.1f %9.1f %9.1f %9.1f %7.2f %12d%n",
                        path.label,
                        kind,
                        oneWay.length,
                        p50,
                        p99,
                        kernel,
                        app,
                        kernel + app,
                        p50 / (kernel + app),
                        total);
            }
        }
        for (PodCommand.Kind kind : PodCommand.Kind.values()) {
            long[] floor = run.floorOneWayNs().get(kind);
            if (floor == null) continue;
            out.printf(
                    Locale.ROOT,
                    "  %-33s %-5s %8d %9.1f %9.1f%n",
                    "floor (no mesh, 127.0.0.1)",
                    kind,
                    floor.length,
                    quantile(floor, 0.50) / 1000.0,
                    quantile(floor, 0.99) / 1000.0);
        }
        out.println("  kernel = the planner's hops for the path (" + parameters + "; the lab's wire is veth + bridge,");
        out.println(
                "  so podToPod stands for nodeToNode); +app = this run's floor p50 less one loopback hop: what the");
        out.println("  pods' own code costs per message, measured right after each connection on the same node.");
        out.println("  ratio = measured p50 / predicted; the goal is 0.80-1.20.");
        out.println();

        long deterministic =
                done.stream().filter(LabTraffic.Done::deterministic).count();
        long exact =
                done.stream().filter(d -> d.deterministic() && d.exactAgrees()).count();
        long verdicts = done.stream().filter(LabTraffic.Done::verdictAgrees).count();
        out.println("The simulator on the same state and connections");
        out.printf("  verdict as predicted:                        %d of %d%n", verdicts, done.size());
        out.printf("  verdict, backend and path exactly (1 backend): %d of %d%n", exact, deterministic);
        List<String> misses = done.stream()
                .filter(d -> !d.verdictAgrees())
                .limit(5)
                .map(d -> d.planned().from() + " -> " + d.planned().service().key() + " "
                        + d.planned().kind() + ": kernel " + describe(d.outcome()) + ", simulator "
                        + d.predicted().verdict())
                .collect(Collectors.toList());
        misses.forEach(m -> out.println("  differs: " + m));
        if (deterministic < done.size())
            out.printf(
                    "  %d connections went to services with several backends: which one is a load-balancing choice,%n"
                            + "  hashed on different keys by the kernel and the simulator, so only the verdict is compared.%n",
                    done.size() - deterministic);
        out.flush();
    }

    private static String describe(Outcome o) {
        return switch (o) {
            case Outcome.Reached(PodClient.Result r) -> "reached " + r.backend();
            case Outcome.Failed(String reason) -> "failed (" + reason + ")";
        };
    }

    /** The application's own one-way cost for {@code kind}: the floor's p50 less the loopback hop it crosses. */
    private static double appUs(LabTraffic.Run run, PodCommand.Kind kind, ModelLatency model, int bytes) {
        long[] floor = run.floorOneWayNs().get(kind);
        if (floor == null || floor.length == 0) return Double.NaN;
        return Math.max(0, quantile(floor, 0.50) / 1000.0 - model.loopbackUs(bytes));
    }

    private static double quantile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
