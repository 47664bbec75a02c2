package io.nodemesh.planner.internal;

import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.ParameterFile;
import io.nodemesh.planner.PlanRequest;
import io.nodemesh.planner.Planner;
import io.nodemesh.planner.ProgressListener;
import io.nodemesh.planner.TrafficPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scale benchmark of the simulation (not a test): clusters of 10, 100 and 1,000 nodes with 100 pods per node and one
 * 100-pod service per node (1,000 nodes: 100,000 pods, 1,000 services), 10 M requests per run, 50 rps per pod.
 * Baseline measured in the same run: a loop doing only the arrival process and random pair choice (no proxies, no
 * queues), which is the floor any simulator of this traffic pays.
 * <pre>
 * taskset -c 1 java -XX:+UseSerialGC -Xmx4g -cp … io.nodemesh.planner.internal.ScaleBenchmark [requests] [models]
 * </pre>
 */
public final class ScaleBenchmark {
    private ScaleBenchmark() {}

    public static void main(String[] args) {
        long requests = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        List<Model> models = args.length > 1
                ? Model.parseList(args[1])
                : List.of(Model.parse("sidecar+mtls"), Model.parse("node+mtls"), Model.parse("ebpf+wireguard"));
        Planner planner = new Planner(ParameterFile.defaults());
        List<String> rows = new ArrayList<>();
        rows.add(String.format(
                Locale.ROOT,
                "%-16s %6s %8s %8s %10s %10s %12s %9s %9s %10s %9s",
                "model",
                "nodes",
                "pods",
                "services",
                "requests",
                "wall s",
                "req/s (wall)",
                "p50 us",
                "p99 us",
                "heap MB",
                "baseline s"));
        for (int nodes : new int[] {10, 100, 1000}) {
            ClusterShape shape = ClusterShape.of(nodes, nodes, 100).withL7Fraction(0.1);
            double rps = 50.0 * shape.pods();
            double baseline = baselineSeconds(shape, requests);
            for (Model m : models) {
                System.gc();
                long t0 = System.nanoTime();
                PlanRequest req =
                        new PlanRequest(shape, List.of(m), List.of(rps), 1024, requests, TrafficPattern.UNIFORM, 1);
                LoadPoint p = planner.plan(req, ProgressListener.NONE).loads().getFirst();
                double wall = (System.nanoTime() - t0) / 1e9;
                Runtime rt = Runtime.getRuntime();
                long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
                rows.add(String.format(
                        Locale.ROOT,
                        "%-16s %6d %8d %8d %10d %10.2f %12.0f %9.1f %9.1f %10d %9.2f",
                        m.name(),
                        nodes,
                        shape.pods(),
                        shape.services(),
                        requests,
                        wall,
                        requests / wall,
                        p.p50Us(),
                        p.p99Us(),
                        heapMb,
                        baseline));
                System.err.println(rows.getLast());
            }
        }
        System.out.println(String.join("\n", rows));
        System.out.println("max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB; "
                + "baseline = arrivals + random pairs only, same request count");
    }

    /** The floor: draw the same Poisson arrivals and random client/server pairs, nothing else. */
    private static double baselineSeconds(ClusterShape shape, long requests) {
        Rng rng = new Rng(1);
        int pods = (int) shape.pods();
        int pps = shape.podsPerService();
        long t0 = System.nanoTime();
        long sink = 0;
        double time = 0;
        for (long i = 0; i < requests; i++) {
            time += rng.exponential(1.0);
            int client = rng.nextInt(pods);
            int service = rng.nextInt(shape.services() - 1);
            if (service >= client / pps) service++;
            sink += (service * pps + rng.nextInt(pps)) % shape.nodes() + client % shape.nodes();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (sink == 42 && time < 0) System.out.println(); // keep the loop from being optimised away
        return s;
    }
}
