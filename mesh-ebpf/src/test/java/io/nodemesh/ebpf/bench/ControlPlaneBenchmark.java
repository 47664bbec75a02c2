package io.nodemesh.ebpf.bench;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.UpdateFlag;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.plan.Allocations;
import io.nodemesh.ebpf.internal.plan.KernelConfig;
import io.nodemesh.ebpf.internal.plan.MapOp;
import io.nodemesh.ebpf.internal.plan.MapPlan;
import io.nodemesh.ebpf.internal.plan.MapPlanner;
import io.nodemesh.ebpf.internal.plan.PlacementResolver;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import io.nodemesh.ebpf.support.RootSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 4 §7 and issue 16 items 1 and 4, control plane: apply {@code --services} services × {@code --backends}
 * backends to a fresh dataplane, then single endpoint changes. Every figure is printed next to its ratio to a floor
 * measured in the same run, so the goals hold on any machine: fresh apply ≤ 20× a raw batch write of the same
 * entries, one change ≤ 20× a raw single-entry update (and the absolute goals ≤ 1 s and ≤ 1 ms on a quiet machine).
 * Not a test; how to run it is in docs/ebpf-benchmarks.md.
 * <p>
 * Part 1 needs no kernel: the planner (validation, plan, diff) alone, phase by phase. Part 2, as root, applies through
 * {@link EbpfDataplane} into real maps at a private cgroup and pin root. Both report the heap the state and the
 * dataplane retain. A state larger than the default map capacities is first applied with the defaults, to show the
 * refusal (before any write), then with the {@code ebpf.max*} options raised to fit.
 * <p>
 * Arguments: {@code [--services 10000] [--backends 10] [--rounds 5] [--changes 40]} (or the same four positionally).
 */
public final class ControlPlaneBenchmark {
    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args);
        long heapBefore = HeapUse.settled();
        MeshState state = ControlPlaneStates.big(a.services(), a.backends());
        long stateHeap = HeapUse.settled() - heapBefore;
        System.out.printf(
                "Control plane: %,d services x %d backends, %d rounds, %d single-endpoint changes; MeshState %s MiB%n%n",
                a.services(), a.backends(), a.rounds(), a.changes(), HeapUse.mib(stateHeap));
        PlanLimits limits = ControlPlaneStates.limitsFor(a.services(), a.backends());
        List<Violation> refused = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE).validate(state);
        if (!refused.isEmpty()) {
            System.out.println("At the default map capacities the agent refuses this state before writing anything:");
            refused.forEach(v -> System.out.println("  " + v));
            System.out.println("so both parts run with " + ControlPlaneStates.limitOptions(limits) + "\n");
        }
        PureFigures pure = pureTable(state, limits, a);
        KernelFigures kernel = null;
        String skipped =
                !Privileges.isRoot() ? "needs root" : Bpf.unavailability().orElse(null);
        if (skipped == null) kernel = kernelTable(state, limits, !refused.isEmpty(), a);
        print(pure, kernel, a);
        if (skipped != null) System.out.println("\nkernel part skipped: " + skipped);
    }

    /** Part 1's samples. */
    private record PureFigures(
            Map<String, BenchSamples> fresh,
            Map<String, BenchSamples> change,
            BenchSamples fill,
            int entries,
            int changedEntries,
            long plannerHeap) {}

    /** Part 2's samples. */
    private record KernelFigures(
            BenchSamples rawFull,
            BenchSamples fresh,
            BenchSamples rawOne,
            BenchSamples change,
            long dataplaneHeap,
            String refusal) {}

    /** Part 1: the planner alone. */
    private static PureFigures pureTable(MeshState state, PlanLimits limits, BenchArgs a) {
        Map<String, BenchSamples> fresh = new LinkedHashMap<>();
        for (String step : List.of(
                "MeshState.validate()",
                "capacity validation (MapPlanner.validate)",
                "MapPlanner.plan (fresh)",
                "MapPlan.diff(EMPTY, plan)")) fresh.put(step, new BenchSamples());
        BenchSamples fill = new BenchSamples();
        MapPlan full = null;
        int ops = 0;
        for (int r = -3; r < a.rounds(); r++) { // rounds -3..-1 warm the JIT up and are not recorded
            MapPlanner planner = new MapPlanner(limits, PlacementResolver.NONE); // no cached segments
            long t0 = System.nanoTime();
            var v = state.validate();
            long t1 = System.nanoTime();
            var cap = planner.validate(state);
            long t2 = System.nanoTime();
            full = planner.plan(state, ControlPlaneStates.NODE, KernelConfig.DEFAULT, Allocations.NONE);
            long t3 = System.nanoTime();
            List<MapOp> d = MapPlan.diff(MapPlan.EMPTY, full);
            long t4 = System.nanoTime();
            if (!v.isEmpty() || !cap.isEmpty())
                throw new IllegalStateException("benchmark state is invalid: " + v + cap);
            ops = d.stream().mapToInt(MapOp::size).sum();
            long b0 = System.nanoTime();
            fillBaseline(full);
            long b1 = System.nanoTime();
            if (r >= 0) {
                long[] t = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
                int i = 0;
                for (BenchSamples s : fresh.values()) s.add(t[i++]);
                fill.add(b1 - b0);
            }
        }
        full = null;
        // one endpoint change: the agent's path minus the kernel, phase by phase (NodeProgrammer.apply does all five)
        Map<String, BenchSamples> change = new LinkedHashMap<>();
        for (String step : List.of(
                "MeshState.validate(previous)",
                "capacity validation",
                "MapPlanner.plan (previous allocations)",
                "MapPlan.diff(previous, next)",
                "StateDiff.between",
                "all of the above")) change.put(step, new BenchSamples());
        long heap0 = HeapUse.settled();
        MapPlanner planner = new MapPlanner(limits, PlacementResolver.NONE);
        planner.validate(state);
        MapPlan current = planner.plan(state, ControlPlaneStates.NODE, KernelConfig.DEFAULT, Allocations.NONE);
        long plannerHeap = HeapUse.settled() - heap0;
        MeshState now = state;
        int changedEntries = 0;
        for (int i = -5; i < a.changes(); i++) {
            MeshState next = ControlPlaneStates.flipFirstEndpoint(now, Math.floorMod(i * 7919, a.services()));
            long t0 = System.nanoTime();
            next.validate(now); // what NodeProgrammer.apply does: incremental against the last applied state
            long t1 = System.nanoTime();
            planner.validate(next);
            long t2 = System.nanoTime();
            MapPlan p = planner.plan(next, ControlPlaneStates.NODE, KernelConfig.DEFAULT, current.allocations());
            long t3 = System.nanoTime();
            List<MapOp> d = MapPlan.diff(current, p);
            long t4 = System.nanoTime();
            StateDiff.between(now, next);
            long t5 = System.nanoTime();
            if (i >= 0) {
                long[] t = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0};
                int k = 0;
                for (BenchSamples s : change.values()) s.add(t[k++]);
                changedEntries = Math.max(
                        changedEntries, d.stream().mapToInt(MapOp::size).sum());
            }
            current = p;
            now = next;
        }
        return new PureFigures(fresh, change, fill, ops, changedEntries, plannerHeap);
    }

    /** The least an in-memory plan costs: every entry copied into a hash map once. */
    private static void fillBaseline(MapPlan plan) {
        Map<Bytes, Bytes> sink = new HashMap<>();
        for (KernelMap m : KernelMap.values()) sink.putAll(plan.entries(m));
        if (sink.isEmpty()) throw new IllegalStateException("empty plan");
    }

    /** Part 2: through EbpfDataplane into the kernel's maps. */
    private static KernelFigures kernelTable(MeshState state, PlanLimits limits, boolean overDefaults, BenchArgs a)
            throws IOException {
        RootSupport.requireBpf(); // mounts bpffs if needed, sweeps leftovers of dead runs (nme<pid>)
        Path cgroup = RootSupport.CGROUP2
                .resolve(RootSupport.PREFIX)
                .resolve("control-plane"); // empty: no socket is affected
        Path pins = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("control-plane");
        Files.createDirectories(cgroup);
        Map<String, String> base = Map.of("ebpf.cgroupRoot", cgroup.toString(), "ebpf.pinRoot", pins.toString());
        Map<String, String> sized = new HashMap<>(base);
        sized.putAll(ControlPlaneStates.limitOptions(limits));
        DataplaneOptions options = new DataplaneOptions(ControlPlaneStates.NODE, sized);
        BenchSamples fresh = new BenchSamples(),
                change = new BenchSamples(),
                rawFull = new BenchSamples(),
                rawOne = new BenchSamples();
        String refusal = null;
        long dataplaneHeap = 0;
        try {
            if (overDefaults) {
                refusal = refusalAtDefaults(state, new DataplaneOptions(ControlPlaneStates.NODE, base));
            }
            for (int r = -1; r < a.rounds(); r++) {
                long heap0 = r == a.rounds() - 1 ? HeapUse.settled() : 0;
                EbpfDataplane dp = EbpfDataplane.open(options);
                try {
                    long t0 = System.nanoTime();
                    dp.apply(state);
                    long t1 = System.nanoTime();
                    if (r >= 0) fresh.add(t1 - t0);
                    if (r == a.rounds() - 1) {
                        dataplaneHeap = HeapUse.settled() - heap0;
                        MeshState now = state;
                        for (int i = -5; i < a.changes(); i++) {
                            MeshState next =
                                    ControlPlaneStates.flipFirstEndpoint(now, Math.floorMod(i * 7919, a.services()));
                            long c0 = System.nanoTime();
                            dp.apply(next);
                            long c1 = System.nanoTime();
                            if (i >= 0) change.add(c1 - c0);
                            now = next;
                        }
                        rawBaselines(dp, state, limits, a.rounds(), rawFull, rawOne);
                    }
                } finally {
                    dp.uninstall();
                }
            }
        } finally {
            RootSupport.cleanUp();
        }
        return new KernelFigures(rawFull, fresh, rawOne, change, dataplaneHeap, refusal);
    }

    /** Applies {@code state} at the default capacities: it must be refused with nothing written. */
    private static String refusalAtDefaults(MeshState state, DataplaneOptions defaults) {
        EbpfDataplane dp = EbpfDataplane.open(defaults);
        try {
            dp.apply(state);
            throw new IllegalStateException(
                    "the default capacities accepted " + state.services().size() + " services");
        } catch (InvalidStateException e) {
            long written = dp.installation()
                            .map(KernelMap.BACKENDS.mapName())
                            .keys()
                            .size()
                    + dp.installation().map(KernelMap.SERVICES.mapName()).keys().size();
            if (written != 0) throw new IllegalStateException("a refused apply left " + written + " entries");
            return e.getMessage() + " (nm_backends and nm_services still empty)";
        } finally {
            dp.uninstall();
        }
    }

    /**
     * Writes the plan's bytes again with raw batch updates (every map, one call each) and one single-entry update:
     * what the kernel side costs with no planning, diffing or validation in front of it.
     */
    private static void rawBaselines(
            EbpfDataplane dp, MeshState state, PlanLimits limits, int rounds, BenchSamples full, BenchSamples one) {
        MapPlan plan = new MapPlanner(limits, PlacementResolver.NONE)
                .plan(state, ControlPlaneStates.NODE, KernelConfig.DEFAULT, Allocations.NONE);
        Map<KernelMap, Map<BpfMap.Key, byte[]>> batches = new LinkedHashMap<>();
        for (KernelMap m : KernelMap.values()) {
            if (m == KernelMap.CONFIG) continue; // an array, written by the dataplane one entry at a time
            Map<BpfMap.Key, byte[]> batch = new LinkedHashMap<>();
            plan.entries(m).forEach((k, v) -> batch.put(new BpfMap.Key(k.toArray()), v.toArray()));
            if (!batch.isEmpty()) batches.put(m, batch);
        }
        var backends = dp.installation().map(KernelMap.BACKENDS.mapName());
        var any = plan.entries(KernelMap.BACKENDS).firstEntry();
        for (int r = -1; r < rounds; r++) {
            long t0 = System.nanoTime();
            batches.forEach((m, batch) -> dp.installation().map(m.mapName()).updateBatch(batch, UpdateFlag.ANY));
            long t1 = System.nanoTime();
            if (r >= 0) full.add(t1 - t0);
        }
        byte[] key = any.getKey().toArray(), value = any.getValue().toArray();
        for (int i = -5; i < 40; i++) {
            long t0 = System.nanoTime();
            backends.update(key, value, UpdateFlag.ANY);
            long t1 = System.nanoTime();
            if (i >= 0) one.add(t1 - t0);
        }
    }

    private static void print(PureFigures p, KernelFigures k, BenchArgs a) {
        System.out.printf(
                "Part 1 - planner only, no kernel (median of %d rounds; one change: median of %d; ratio: to the floor"
                        + " row above it)%n",
                a.rounds(), a.changes());
        row("step", "ms", "x floor", "entries");
        long fill = p.fill().median();
        row("floor: HashMap fill of the plan's entries", BenchSamples.ms(fill), "1.0", fmt(p.entries()));
        long total = 0;
        for (var e : p.fresh().entrySet()) {
            long t = e.getValue().median();
            total += t;
            row(e.getKey(), BenchSamples.ms(t), ratio(t, fill), "");
        }
        row("total, fresh", BenchSamples.ms(total), ratio(total, fill), "");
        boolean floor = k != null && k.rawOne().count() > 0;
        long one = floor ? k.rawOne().median() : 0;
        row("floor: raw update of one nm_backends entry", floor ? BenchSamples.ms(one) : "n/a", "1.0", "");
        for (var e : p.change().entrySet()) {
            long t = e.getValue().median();
            String entries = e.getKey().startsWith("MapPlan.diff") ? fmt(p.changedEntries()) : "";
            row("one change: " + e.getKey() + ", p50", BenchSamples.ms(t), floor ? ratio(t, one) : "n/a", entries);
        }
        long p99 = p.change().get("all of the above").percentile(99);
        row("one change: all of the above, p99", BenchSamples.ms(p99), floor ? ratio(p99, one) : "n/a", "");
        System.out.printf("planner heap (plan, caches, allocations): %s MiB%n", HeapUse.mib(p.plannerHeap()));
        if (k == null) return;
        System.out.printf(
                "%nPart 2 - EbpfDataplane.apply into the kernel maps (batch ops; fresh: median of %d; change: %d)%n",
                a.rounds(), a.changes());
        if (k.refusal() != null) System.out.println("at the default capacities: " + k.refusal());
        row("step", "ms", "x floor", "goal");
        long rawFull = k.rawFull().median(), fresh = k.fresh().median();
        long change = k.change().median(), changeP99 = k.change().percentile(99);
        row("floor: raw UPDATE_BATCH of every entry", BenchSamples.ms(rawFull), "1.0", "");
        row(
                "apply to a fresh dataplane, p50",
                BenchSamples.ms(fresh),
                ratio(fresh, rawFull),
                goal(fresh, rawFull, 1e9));
        row(
                "apply to a fresh dataplane, max",
                BenchSamples.ms(k.fresh().percentile(100)),
                ratio(k.fresh().percentile(100), rawFull),
                "");
        row("floor: raw update of one nm_backends entry", BenchSamples.ms(one), "1.0", "");
        row("apply one endpoint change, p50", BenchSamples.ms(change), ratio(change, one), goal(change, one, 1e6));
        row("apply one endpoint change, p99", BenchSamples.ms(changeP99), ratio(changeP99, one), "");
        System.out.printf(
                "dataplane heap after the fresh apply (plan, caches, index; the state apart): %s MiB%n",
                HeapUse.mib(k.dataplaneHeap()));
    }

    /** "<= 20x: met" and the absolute goal, for the quiet-machine reading. */
    private static String goal(long t, long floor, double absoluteNs) {
        boolean ratioMet = t <= 20 * floor;
        String abs = absoluteNs >= 1e9 ? "1 s" : "1 ms";
        return "<=20x " + (ratioMet ? "met" : "NOT met") + ", <=" + abs + " " + (t <= absoluteNs ? "met" : "NOT met");
    }

    private static String ratio(long t, long floor) {
        return floor <= 0 ? "n/a" : String.format("%.1f", (double) t / floor);
    }

    private static void row(String step, String ms, String ratio, String extra) {
        System.out.printf("%-56s %10s %9s  %s%n", step, ms, ratio, extra);
    }

    private static String fmt(int n) {
        return String.format("%,d", n);
    }
}
