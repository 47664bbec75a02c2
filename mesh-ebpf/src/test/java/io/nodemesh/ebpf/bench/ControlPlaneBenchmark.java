package io.nodemesh.ebpf.bench;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.MeshState;
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
 * Issue 4 §7, control plane: apply 10,000 services × 10 backends to a fresh dataplane, then one endpoint change
 * (goals ≤ 1 s and ≤ 1 ms). Not a test; how to run it is in docs/ebpf-benchmarks.md.
 * <p>
 * Part 1 needs no kernel: the planner (validation, plan, diff) alone, phase by phase, against a baseline of filling a
 * hash map with the same number of entries (the least any in-memory plan can cost). Part 2, as root, applies through
 * {@link EbpfDataplane} into real maps (batch operations) at a private cgroup and pin root, against a baseline of
 * writing the same bytes with raw {@code BPF_MAP_UPDATE_BATCH} calls and no planning at all.
 * <p>
 * Arguments: {@code [services=10000] [backends=10] [rounds=5] [changes=40]}.
 */
public final class ControlPlaneBenchmark {
    public static void main(String[] args) throws Exception {
        int services = arg(args, 0, 10_000),
                backends = arg(args, 1, 10),
                rounds = arg(args, 2, 5),
                changes = arg(args, 3, 40);
        MeshState state = ControlPlaneStates.big(services, backends);
        System.out.printf(
                "Control plane: %,d services x %d backends, %d rounds, %d single-endpoint changes%n%n",
                services, backends, rounds, changes);
        pureTable(state, services, rounds, changes);
        if (!Privileges.isRoot() || Bpf.unavailability().isPresent()) {
            System.out.println("\nkernel part skipped: "
                    + (Privileges.isRoot() ? Bpf.unavailability().orElse("") : "needs root"));
            return;
        }
        kernelTable(state, services, rounds, changes);
    }

    /** Part 1: the planner alone. */
    private static void pureTable(MeshState state, int services, int rounds, int changes) {
        MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        BenchSamples validate = new BenchSamples(),
                limits = new BenchSamples(),
                plan = new BenchSamples(),
                diff = new BenchSamples(),
                baseline = new BenchSamples();
        MapPlan full = null;
        int ops = 0;
        for (int r = -3; r < rounds; r++) { // rounds -3..-1 warm the JIT up and are not recorded
            boolean record = r >= 0;
            MapPlanner fresh = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE); // no cached segments
            long t0 = System.nanoTime();
            var v = state.validate();
            long t1 = System.nanoTime();
            var cap = fresh.validate(state);
            long t2 = System.nanoTime();
            full = fresh.plan(state, ControlPlaneStates.NODE, KernelConfig.DEFAULT, Allocations.NONE);
            long t3 = System.nanoTime();
            List<MapOp> d = MapPlan.diff(MapPlan.EMPTY, full);
            long t4 = System.nanoTime();
            if (!v.isEmpty() || !cap.isEmpty())
                throw new IllegalStateException("benchmark state is invalid: " + v + cap);
            ops = d.stream().mapToInt(MapOp::size).sum();
            long b0 = System.nanoTime();
            fillBaseline(full);
            long b1 = System.nanoTime();
            if (record) {
                validate.add(t1 - t0);
                limits.add(t2 - t1);
                plan.add(t3 - t2);
                diff.add(t4 - t3);
                baseline.add(b1 - b0);
            }
        }
        // one endpoint change: the agent's path minus the kernel, phase by phase (NodeProgrammer.apply does all five)
        BenchSamples cValidate = new BenchSamples(),
                cLimits = new BenchSamples(),
                cPlan = new BenchSamples(),
                cDiff = new BenchSamples(),
                cStateDiff = new BenchSamples(),
                change = new BenchSamples();
        MapPlan current = planner.plan(state, ControlPlaneStates.NODE, KernelConfig.DEFAULT, Allocations.NONE);
        MeshState now = state;
        int changedEntries = 0;
        for (int i = -5; i < changes; i++) {
            MeshState next = ControlPlaneStates.flipFirstEndpoint(now, Math.floorMod(i * 7919, services));
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
                cValidate.add(t1 - t0);
                cLimits.add(t2 - t1);
                cPlan.add(t3 - t2);
                cDiff.add(t4 - t3);
                cStateDiff.add(t5 - t4);
                change.add(t5 - t0);
                changedEntries = Math.max(
                        changedEntries, d.stream().mapToInt(MapOp::size).sum());
            }
            current = p;
            now = next;
        }
        System.out.printf(
                "Part 1 - planner only, no kernel (median of %d rounds; one change: median and p99 of %d)%n",
                rounds, changes);
        row("step", "ms", "entries");
        row("baseline: HashMap fill of the plan's entries", BenchSamples.ms(baseline.median()), fmt(ops));
        row("MeshState.validate()", BenchSamples.ms(validate.median()), "");
        row("capacity validation (MapPlanner.validate)", BenchSamples.ms(limits.median()), "");
        row(
                "MapPlanner.plan (fresh)",
                BenchSamples.ms(plan.median()),
                fmt(full.size(KernelMap.BACKENDS) + full.size(KernelMap.SERVICES)));
        row("MapPlan.diff(EMPTY, plan)", BenchSamples.ms(diff.median()), fmt(ops));
        row("total, fresh", BenchSamples.ms(validate.median() + limits.median() + plan.median() + diff.median()), "");
        row("one change: MeshState.validate(previous)", BenchSamples.ms(cValidate.median()), "");
        row("one change: capacity validation", BenchSamples.ms(cLimits.median()), "");
        row("one change: MapPlanner.plan (previous allocations)", BenchSamples.ms(cPlan.median()), "");
        row("one change: MapPlan.diff(previous, next)", BenchSamples.ms(cDiff.median()), fmt(changedEntries));
        row("one change: StateDiff.between", BenchSamples.ms(cStateDiff.median()), "");
        row("one change: all of the above, p50", BenchSamples.ms(change.median()), "");
        row("one change: all of the above, p99", BenchSamples.ms(change.percentile(99)), "");
    }

    /** The least an in-memory plan costs: every entry copied into a hash map once. */
    private static void fillBaseline(MapPlan plan) {
        Map<Bytes, Bytes> sink = new HashMap<>();
        for (KernelMap m : KernelMap.values()) sink.putAll(plan.entries(m));
        if (sink.isEmpty()) throw new IllegalStateException("empty plan");
    }

    /** Part 2: through EbpfDataplane into the kernel's maps. */
    private static void kernelTable(MeshState state, int services, int rounds, int changes) throws IOException {
        RootSupport.requireBpf(); // mounts bpffs if needed, sweeps leftovers of dead runs (nme<pid>)
        Path cgroup = RootSupport.CGROUP2
                .resolve(RootSupport.PREFIX)
                .resolve("control-plane"); // empty: no socket is affected
        Path pins = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("control-plane");
        Files.createDirectories(cgroup);
        DataplaneOptions options = new DataplaneOptions(
                ControlPlaneStates.NODE, Map.of("ebpf.cgroupRoot", cgroup.toString(), "ebpf.pinRoot", pins.toString()));
        BenchSamples fresh = new BenchSamples(),
                change = new BenchSamples(),
                rawFull = new BenchSamples(),
                rawOne = new BenchSamples();
        try {
            for (int r = -1; r < rounds; r++) {
                EbpfDataplane dp = EbpfDataplane.open(options);
                try {
                    long t0 = System.nanoTime();
                    dp.apply(state);
                    long t1 = System.nanoTime();
                    if (r >= 0) fresh.add(t1 - t0);
                    if (r == rounds - 1) {
                        MeshState now = state;
                        for (int i = -5; i < changes; i++) {
                            MeshState next =
                                    ControlPlaneStates.flipFirstEndpoint(now, Math.floorMod(i * 7919, services));
                            long c0 = System.nanoTime();
                            dp.apply(next);
                            long c1 = System.nanoTime();
                            if (i >= 0) change.add(c1 - c0);
                            now = next;
                        }
                        rawBaselines(dp, state, rounds, rawFull, rawOne);
                    }
                } finally {
                    dp.uninstall();
                }
            }
        } finally {
            RootSupport.cleanUp();
        }
        System.out.printf(
                "%nPart 2 - EbpfDataplane.apply into the kernel maps (batch ops; fresh: median of %d; change: %d)%n",
                rounds, changes);
        row("step", "ms", "goal");
        row("baseline: raw UPDATE_BATCH of every entry", BenchSamples.ms(rawFull.median()), "");
        row("apply to a fresh dataplane, p50", BenchSamples.ms(fresh.median()), "<= 1000");
        row("apply to a fresh dataplane, max", BenchSamples.ms(fresh.percentile(100)), "");
        row("baseline: raw update of one nm_backends entry", BenchSamples.ms(rawOne.median()), "");
        row("apply one endpoint change, p50", BenchSamples.ms(change.median()), "<= 1");
        row("apply one endpoint change, p99", BenchSamples.ms(change.percentile(99)), "");
    }

    /**
     * Writes the plan's bytes again with raw batch updates (every map, one call each) and one single-entry update:
     * what the kernel side costs with no planning, diffing or validation in front of it.
     */
    private static void rawBaselines(
            EbpfDataplane dp, MeshState state, int rounds, BenchSamples full, BenchSamples one) {
        MapPlan plan = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE)
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
        for (int i = -5; i < 40; i++) {
            long t0 = System.nanoTime();
            backends.update(any.getKey().toArray(), any.getValue().toArray(), UpdateFlag.ANY);
            long t1 = System.nanoTime();
            if (i >= 0) one.add(t1 - t0);
        }
    }

    private static void row(String step, String a, String b) {
        System.out.printf("%-48s %12s %10s%n", step, a, b);
    }

    private static String fmt(int n) {
        return String.format("%,d", n);
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }
}
