package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (not a test) of the control plane's pure part: planning 10,000 services x 10 backends and diffing, and
 * re-planning after one endpoint change (issue 4 goal: whole apply ≤ 1 s, one endpoint change ≤ 1 ms, of which this is
 * the Java share; the map syscalls come on top). Run: see docs/ebpf-kernel.md.
 */
public final class PlanBenchmark {
    public static void main(String[] args) {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int backends = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        MeshState state = state(services, backends);
        MeshState changed = state.withService(
                "bench/svc7",
                s -> s.withEndpoints(s.endpoints().subList(1, s.endpoints().size())));
        MapPlanner validator = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        long[] validate = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            validator.validate(state);
            validate[i] = System.nanoTime() - t;
        }
        long[] full = new long[iterations], fullDiff = new long[iterations], same = new long[iterations];
        long[] one = new long[iterations], oneDiff = new long[iterations];
        int ops = 0, oneOps = 0;
        for (int i = 0; i < iterations; i++) {
            MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE); // a fresh node each time
            long t0 = System.nanoTime();
            MapPlan plan = planner.plan(state, "n1", KernelConfig.DEFAULT, Allocations.NONE);
            long t1 = System.nanoTime();
            ops = MapPlan.diff(MapPlan.EMPTY, plan).stream()
                    .mapToInt(MapOp::size)
                    .sum();
            long t2 = System.nanoTime();
            MapPlan steady = planner.plan(state, "n1", KernelConfig.DEFAULT, plan.allocations());
            long t3 = System.nanoTime();
            MapPlan next = planner.plan(changed, "n1", KernelConfig.DEFAULT, steady.allocations());
            long t4 = System.nanoTime();
            oneOps = MapPlan.diff(steady, next).stream().mapToInt(MapOp::size).sum();
            long t5 = System.nanoTime();
            full[i] = t1 - t0;
            fullDiff[i] = t2 - t1;
            same[i] = t3 - t2;
            one[i] = t4 - t3;
            oneDiff[i] = t5 - t4;
        }
        System.out.printf(
                Locale.ROOT,
                "%nMapPlanner, %d services x %d backends, %d iterations (median)%n",
                services,
                backends,
                iterations);
        System.out.printf(Locale.ROOT, "%-44s %10s %10s%n", "step", "ms", "map ops");
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.1f %10s%n",
                "capacity validation (repeat, cache warm)",
                median(validate) / 1e6,
                "");
        System.out.printf(
                Locale.ROOT, "%-44s %10.1f %10d%n", "plan whole state, fresh planner", median(full) / 1e6, ops);
        System.out.printf(Locale.ROOT, "%-44s %10.1f %10s%n", "diff empty -> whole state", median(fullDiff) / 1e6, "");
        System.out.printf(
                Locale.ROOT, "%-44s %10.1f %10s%n", "re-plan unchanged state (cache warm)", median(same) / 1e6, "");
        System.out.printf(
                Locale.ROOT, "%-44s %10.1f %10d%n", "re-plan after one endpoint change", median(one) / 1e6, oneOps);
        System.out.printf(
                Locale.ROOT, "%-44s %10.2f %10s%n", "diff after one endpoint change", median(oneDiff) / 1e6, "");
        changes(state, services, Math.max(50, iterations * 20));
    }

    /**
     * One endpoint change after another (a different service each time, its first endpoint flipping between READY and
     * TERMINATING), after a JIT warm-up: the planner's incremental path against the whole-state path, which is what
     * every plan cost before the incremental path existed — the baseline, measured in the same run.
     */
    private static void changes(MeshState state, int services, int changes) {
        MapPlanner incremental = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        MapPlanner whole = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        MapPlan inc = incremental.plan(state, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MapPlan all = whole.planWhole(state, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        int warmup = 30;
        long[] incPlan = new long[changes],
                incDiff = new long[changes],
                wholePlan = new long[changes],
                wholeDiff = new long[changes];
        int incOps = 0, wholeOps = 0, derived = 0;
        MeshState now = state;
        for (int i = -warmup; i < changes; i++) {
            String key = "bench/svc" + Math.floorMod(i * 7919, services);
            MeshState next = now.withService(key, s -> s.withEndpoints(flipFirst(s.endpoints())));
            long t0 = System.nanoTime();
            MapPlan p = incremental.plan(next, "n1", KernelConfig.DEFAULT, inc.allocations());
            long t1 = System.nanoTime();
            List<MapOp> d = MapPlan.diff(inc, p);
            long t2 = System.nanoTime();
            MapPlan w = whole.planWhole(next, "n1", KernelConfig.DEFAULT, all.allocations());
            long t3 = System.nanoTime();
            List<MapOp> wd = MapPlan.diff(all, w);
            long t4 = System.nanoTime();
            if (i >= 0) {
                incPlan[i] = t1 - t0;
                incDiff[i] = t2 - t1;
                wholePlan[i] = t3 - t2;
                wholeDiff[i] = t4 - t3;
                incOps = Math.max(incOps, d.stream().mapToInt(MapOp::size).sum());
                wholeOps = Math.max(wholeOps, wd.stream().mapToInt(MapOp::size).sum());
                if (p.derived()) derived++;
            }
            inc = p;
            all = w;
            now = next;
        }
        System.out.printf(
                Locale.ROOT,
                "%n%d single-endpoint changes (each a different service) after %d warm-up ones, "
                        + "median / p99 in ms; %d of %d took the incremental path%n",
                changes,
                warmup,
                derived,
                changes);
        System.out.printf(Locale.ROOT, "%-44s %10s %10s %10s%n", "step", "median", "p99", "map ops");
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.3f %10.3f %10d%n",
                "baseline: plan, whole-state path",
                median(wholePlan) / 1e6,
                p99(wholePlan) / 1e6,
                wholeOps);
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.3f %10.3f %10s%n",
                "baseline: diff, every segment visited",
                median(wholeDiff) / 1e6,
                p99(wholeDiff) / 1e6,
                "");
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.3f %10.3f %10d%n",
                "plan, incremental path",
                median(incPlan) / 1e6,
                p99(incPlan) / 1e6,
                incOps);
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.3f %10.3f %10s%n",
                "diff, changed owners only",
                median(incDiff) / 1e6,
                p99(incDiff) / 1e6,
                "");
        long[] incTotal = new long[changes], wholeTotal = new long[changes];
        for (int i = 0; i < changes; i++) {
            incTotal[i] = incPlan[i] + incDiff[i];
            wholeTotal[i] = wholePlan[i] + wholeDiff[i];
        }
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.3f %10.3f %10s%n",
                "plan + diff: whole-state path (baseline)",
                median(wholeTotal) / 1e6,
                p99(wholeTotal) / 1e6,
                "");
        System.out.printf(
                Locale.ROOT,
                "%-44s %10.3f %10.3f %10s%n",
                "plan + diff: incremental",
                median(incTotal) / 1e6,
                p99(incTotal) / 1e6,
                "");
    }

    private static List<Endpoint> flipFirst(List<Endpoint> eps) {
        List<Endpoint> out = new ArrayList<>(eps);
        Endpoint e = out.get(0);
        out.set(
                0,
                e.withState(
                        e.state() == io.nodemesh.api.state.EndpointState.READY
                                ? io.nodemesh.api.state.EndpointState.TERMINATING
                                : io.nodemesh.api.state.EndpointState.READY));
        return out;
    }

    private static double p99(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)];
    }

    static MeshState state(int services, int backends) {
        var b = MeshState.builder();
        for (int s = 0; s < services; s++) {
            List<Endpoint> eps = new ArrayList<>();
            for (int e = 0; e < backends; e++) {
                int n = s * backends + e;
                eps.add(Endpoint.ready("10." + (128 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256), ""));
            }
            b.service(new Service(
                    "bench",
                    "svc" + s,
                    List.of("10.96." + (s / 256) + "." + (s % 256)),
                    List.of(ServicePort.tcp(80, 8080)),
                    eps,
                    Map.of(),
                    LoadBalancing.RANDOM,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
        }
        return b.build();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
