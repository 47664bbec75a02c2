package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelLayouts;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.abi.StructReader;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Applying {@code MapPlan.diff(a, b)} to maps holding plan a, one operation at a time, ends in exactly plan b — and after
 * every single operation no VIP is half-programmed: every service entry's slots, Maglev table and the slots that table
 * points at exist.
 */
class MapPlanDiffTest {
    private static final MapPlanner PLANNER =
            new MapPlanner(new PlanLimits(100, 1000, 1000, 64, 1000, 10_000, 10_000, 13), PlacementResolver.NONE);

    @Provide
    Arbitrary<MeshState> states() {
        return StateGen.states();
    }

    @Property(tries = 300)
    void diffReachesTheTargetWithoutEverExposingAHalfProgrammedVip(
            @ForAll("states") MeshState a, @ForAll("states") MeshState b, @ForAll("nodes") String node) {
        MapPlan from = PLANNER.plan(a, node, KernelConfig.DEFAULT, Allocations.NONE);
        MapPlan to = PLANNER.plan(b, node, KernelConfig.DEFAULT, from.allocations());
        Map<KernelMap, TreeMap<Bytes, Bytes>> live = copy(from);
        assertConsistent(live, "initial");
        List<MapOp> ops = MapPlan.diff(from, to);
        for (int i = 0; i < ops.size(); i++) {
            MapOp op = ops.get(i);
            switch (op) {
                case MapOp.Put put ->
                    put.entries().forEach(e -> live.get(put.map()).put(e.key(), e.value()));
                case MapOp.Delete del ->
                    del.keys()
                            .forEach(k ->
                                    assertThat(live.get(del.map()).remove(k)).isNotNull());
            }
            assertConsistent(live, "after op " + i + " " + op.map() + " of " + ops.size());
        }
        for (KernelMap m : KernelMap.values())
            assertThat(live.get(m)).as(m.name()).isEqualTo(to.entries(m));

        // rollback is the reverse diff and reaches the start again
        for (MapOp op : MapPlan.diff(to, from)) {
            switch (op) {
                case MapOp.Put put ->
                    put.entries().forEach(e -> live.get(put.map()).put(e.key(), e.value()));
                case MapOp.Delete del ->
                    del.keys().forEach(k -> live.get(del.map()).remove(k));
            }
            assertConsistent(live, "rolling back");
        }
        for (KernelMap m : KernelMap.values())
            assertThat(live.get(m)).as(m.name()).isEqualTo(from.entries(m));
    }

    /** The same, from raw map contents (what an agent reads back from pinned maps after a restart). */
    @Property(tries = 100)
    void diffFromReadBackContentsReachesTheTarget(@ForAll("states") MeshState a, @ForAll("states") MeshState b) {
        MapPlan from = PLANNER.plan(a, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        Map<KernelMap, java.util.NavigableMap<Bytes, Bytes>> raw = new EnumMap<>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) raw.put(m, from.entries(m));
        MapPlan readBack = new MapPlan(raw, Allocations.NONE, List.of());
        MapPlan to = PLANNER.plan(b, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        Map<KernelMap, TreeMap<Bytes, Bytes>> live = copy(readBack);
        for (MapOp op : MapPlan.diff(readBack, to)) {
            switch (op) {
                case MapOp.Put put ->
                    put.entries().forEach(e -> live.get(put.map()).put(e.key(), e.value()));
                case MapOp.Delete del ->
                    del.keys()
                            .forEach(k ->
                                    assertThat(live.get(del.map()).remove(k)).isNotNull());
            }
            assertConsistent(live, "from read-back contents");
        }
        for (KernelMap m : KernelMap.values())
            assertThat(live.get(m)).as(m.name()).isEqualTo(to.entries(m));
    }

    /** Small edits of one state (the common case) go through the planner's cache and the segment-skipping diff. */
    @Property(tries = 200)
    void smallEditsReachTheTarget(@ForAll("states") MeshState a, @ForAll("edits") int edit) {
        MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        MapPlan from = planner.plan(a, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MeshState b = edit(a, edit);
        MapPlan to = planner.plan(b, "n1", KernelConfig.DEFAULT, from.allocations());
        MapPlan fresh = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE)
                .plan(b, "n1", KernelConfig.DEFAULT, from.allocations());
        for (KernelMap m : KernelMap.values()) {
            assertThat(to.entries(m))
                    .as("cached plan of %s equals a fresh plan", m)
                    .isEqualTo(fresh.entries(m));
        }
        Map<KernelMap, TreeMap<Bytes, Bytes>> live = copy(from);
        for (MapOp op : MapPlan.diff(from, to)) {
            switch (op) {
                case MapOp.Put put ->
                    put.entries().forEach(e -> live.get(put.map()).put(e.key(), e.value()));
                case MapOp.Delete del ->
                    del.keys()
                            .forEach(k ->
                                    assertThat(live.get(del.map()).remove(k)).isNotNull());
            }
            assertConsistent(live, "small edit " + edit);
        }
        for (KernelMap m : KernelMap.values())
            assertThat(live.get(m)).as(m.name()).isEqualTo(to.entries(m));
    }

    @Provide
    Arbitrary<Integer> edits() {
        return net.jqwik.api.Arbitraries.integers().between(0, 5);
    }

    /** 0: nothing, 1: drop the first endpoint of each listed service, 2: remove the first service, 3: add a service
     * (reusing a removed one's ids), 4: change load balancing, 5: drop the last workload. */
    private static MeshState edit(MeshState a, int edit) {
        var b = a.toBuilder();
        switch (edit) {
            case 1 -> {
                MeshState out = a;
                for (var svc : a.services()) {
                    if (!svc.endpoints().isEmpty())
                        out = out.withService(
                                svc.key(),
                                x -> x.withEndpoints(
                                        x.endpoints().subList(1, x.endpoints().size())));
                }
                return out;
            }
            case 2 -> {
                if (!a.services().isEmpty()) b.removeService(a.services().get(0).key());
            }
            case 3 -> {
                if (!a.services().isEmpty()) b.removeService(a.services().get(0).key());
                b.service(new io.nodemesh.api.state.Service(
                        "a",
                        "new",
                        List.of("10.96.9.9"),
                        List.of(io.nodemesh.api.state.ServicePort.tcp(80, 8080)),
                        List.of(io.nodemesh.api.state.Endpoint.ready("172.16.9.9", "")),
                        Map.of(),
                        io.nodemesh.api.state.LoadBalancing.MAGLEV,
                        io.nodemesh.api.state.SessionAffinity.NONE,
                        io.nodemesh.api.state.ServiceLayer.L4));
            }
            case 4 -> {
                MeshState out = a;
                for (var svc : a.services())
                    out = out.withService(
                            svc.key(), x -> x.withLoadBalancing(io.nodemesh.api.state.LoadBalancing.MAGLEV));
                return out;
            }
            case 5 -> {
                if (!a.workloads().isEmpty()) {
                    return new MeshState(
                            a.nodes(),
                            a.workloads().subList(0, a.workloads().size() - 1),
                            a.services(),
                            List.of(),
                            a.routes(),
                            a.encryption());
                }
            }
            default -> {}
        }
        return b.build();
    }

    @Test
    void replanningTheSameStateReusesEverySegmentAndWritesNothing() {
        MeshState s = StateGen.build(
                List.of(new StateGen.WorkloadShape(0, 0, true, 0)),
                List.of(
                        new StateGen.ServiceShape(0, 2, false, true, List.of(), 0, false),
                        new StateGen.ServiceShape(1, 0, false, false, List.of(0, 0), 0, false)),
                List.of());
        MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        MapPlan first = planner.plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MapPlan second = planner.plan(s, "n1", KernelConfig.DEFAULT, first.allocations());
        assertThat(MapPlan.diff(first, second)).isEmpty();
        for (String owner : List.of("service:a/s0", "service:a/s1")) {
            assertThat(second.segments().get(owner))
                    .as(owner)
                    .isSameAs(first.segments().get(owner));
        }
    }

    @Provide
    Arbitrary<String> nodes() {
        return net.jqwik.api.Arbitraries.of("n1", "n2");
    }

    @Test
    void diffOrdersBackendsBeforeServicesAndConfigLast() {
        MeshState s = StateGen.build(
                List.of(new StateGen.WorkloadShape(0, 0, true, 0)),
                List.of(new StateGen.ServiceShape(0, 2, false, true, List.of(), 0, false)),
                List.of(new StateGen.PolicyShape(false, List.of("*"), List.of(0), List.of(), List.of())));
        List<KernelMap> order =
                MapPlan.diff(MapPlan.EMPTY, PLANNER.plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE)).stream()
                        .map(MapOp::map)
                        .toList();
        assertThat(order)
                .containsExactly(
                        KernelMap.IP_IDENTITY,
                        KernelMap.POLICY,
                        KernelMap.POLICY_SELECTED,
                        KernelMap.BACKENDS,
                        KernelMap.MAGLEV,
                        KernelMap.SERVICES,
                        KernelMap.CONFIG);
        List<MapOp> teardown =
                MapPlan.diff(PLANNER.plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE), MapPlan.EMPTY);
        assertThat(teardown).allMatch(op -> op instanceof MapOp.Delete);
        assertThat(teardown.stream().map(MapOp::map).toList())
                .containsExactly(
                        KernelMap.SERVICES,
                        KernelMap.MAGLEV,
                        KernelMap.BACKENDS,
                        KernelMap.POLICY,
                        KernelMap.POLICY_SELECTED,
                        KernelMap.IP_IDENTITY,
                        KernelMap.CONFIG);
    }

    @Test
    void oneEndpointChangeTouchesOneSlotAndTheCounts() {
        MeshState s = StateGen.build(
                List.of(
                        new StateGen.WorkloadShape(0, 0, false, 0),
                        new StateGen.WorkloadShape(1, 0, false, 0),
                        new StateGen.WorkloadShape(2, 0, false, 0)),
                List.of(new StateGen.ServiceShape(1, 0, false, false, List.of(0, 0, 0), 0, false)),
                List.of());
        MapPlan before = PLANNER.plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MeshState changed = s.withService(
                "a/s0",
                svc -> svc.withEndpoints(
                        List.of(svc.endpoints().get(0), svc.endpoints().get(2))));
        List<MapOp> ops = MapPlan.diff(before, PLANNER.plan(changed, "n1", KernelConfig.DEFAULT, before.allocations()));
        // slot 1 takes the backend that was in slot 2; the two service entries (TCP and UDP) get the new count; slot 2
        // goes
        assertThat(ops)
                .extracting(op -> op.map() + (op instanceof MapOp.Put ? " put " : " delete ") + op.size())
                .containsExactly("BACKENDS put 1", "SERVICES put 2", "BACKENDS delete 1");
    }

    private static Map<KernelMap, TreeMap<Bytes, Bytes>> copy(MapPlan plan) {
        Map<KernelMap, TreeMap<Bytes, Bytes>> out = new EnumMap<>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) out.put(m, new TreeMap<>(plan.entries(m)));
        return out;
    }

    private static void assertConsistent(Map<KernelMap, TreeMap<Bytes, Bytes>> live, String when) {
        List<String> problems = new ArrayList<>();
        live.get(KernelMap.SERVICES).forEach((k, v) -> {
            Encode.ServiceValue sv = Encode.decodeServiceValue(v);
            for (int slot = 0; slot < sv.backendCount(); slot++) {
                if (!live.get(KernelMap.BACKENDS).containsKey(Encode.backendKey(sv.backendSet(), slot))) {
                    problems.add("service " + k + " counts slot " + slot + " of set " + sv.backendSet()
                            + " which is missing");
                }
            }
            for (int i = 0; i < sv.maglevSize(); i++) {
                Bytes slot = live.get(KernelMap.MAGLEV).get(Encode.maglevKey(sv.backendSet(), i));
                if (slot == null) {
                    problems.add("service " + k + " has no Maglev entry " + i);
                    break;
                }
                int s = (int) new StructReader(KernelLayouts.U32, slot.toArray()).u32("value");
                if (!live.get(KernelMap.BACKENDS).containsKey(Encode.backendKey(sv.backendSet(), s))) {
                    problems.add("Maglev entry " + i + " points at missing slot " + s);
                    break;
                }
            }
        });
        assertThat(problems).as(when).isEmpty();
    }
}
