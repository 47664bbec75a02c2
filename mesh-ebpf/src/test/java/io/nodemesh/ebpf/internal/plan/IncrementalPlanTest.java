package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The planner's incremental path (changed service records only) gives exactly the plan of the whole-state path, and
 * its diff — which visits only the changed owners — programs exactly the target, forwards and rolled back.
 */
class IncrementalPlanTest {
    /** One edit of one service's own record: remove, add or flip an endpoint, or change the load balancing. */
    record Edit(int service, int kind, int which) {}

    @Provide
    Arbitrary<MeshState> states() {
        return StateGen.states();
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 7))
                .as(Edit::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(6);
    }

    @Property(tries = 200)
    void incrementalPlansEqualWholePlansAndTheirDiffsReachTheTarget(
            @ForAll("states") MeshState start, @ForAll("edits") List<Edit> edits) {
        MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        MapPlan programmed = planner.plan(start, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MeshState state = start;
        int added = 0;
        for (Edit e : edits) {
            if (state.services().isEmpty()) return;
            Service s = state.services().get(e.service() % state.services().size());
            Service changed = edit(s, e, added++);
            state = state.withService(s.key(), x -> changed);
            MapPlan next = planner.plan(state, "n1", KernelConfig.DEFAULT, programmed.allocations());
            MapPlan whole = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE)
                    .plan(state, "n1", KernelConfig.DEFAULT, programmed.allocations());
            assertThat(whole.derived()).isFalse();
            if (!changed.equals(s))
                assertThat(next.derived())
                        .as("incremental path taken for %s", e)
                        .isTrue();
            for (KernelMap m : KernelMap.values())
                assertThat(next.entries(m)).as("%s after %s", m, e).isEqualTo(whole.entries(m));
            assertThat(next.allocations()).isEqualTo(whole.allocations());
            assertThat(apply(programmed, MapPlan.diff(programmed, next))).isEqualTo(all(next));
            assertThat(apply(next, MapPlan.diff(next, programmed)))
                    .as("rollback")
                    .isEqualTo(all(programmed));
            programmed = next;
        }
    }

    /** The capacity check, which keeps its counts between calls the same way, agrees with a fresh one after every edit. */
    @Property(tries = 200)
    void incrementalCapacityChecksEqualFreshOnes(@ForAll("states") MeshState start, @ForAll("edits") List<Edit> edits) {
        // limits small enough that the generated states cross them now and then (Maglev size 2: tables overflow)
        PlanLimits small = new PlanLimits(3, 5, 6, 2, 8, 40, 4, 2);
        MapPlanner kept = new MapPlanner(small, PlacementResolver.NONE);
        assertThat(kept.validate(start)).isEqualTo(new MapPlanner(small, PlacementResolver.NONE).validate(start));
        MeshState state = start;
        int added = 0;
        for (Edit e : edits) {
            if (state.services().isEmpty()) return;
            Service s = state.services().get(e.service() % state.services().size());
            Service changed = edit(s, e, added++);
            state = state.withService(s.key(), x -> changed);
            assertThat(kept.validate(state))
                    .as("after %s", e)
                    .isEqualTo(new MapPlanner(small, PlacementResolver.NONE).validate(state));
        }
    }

    private static Service edit(Service s, Edit e, int serial) {
        List<Endpoint> eps = new ArrayList<>(s.endpoints());
        switch (e.kind()) {
            case 0 -> {
                if (!eps.isEmpty()) eps.remove(e.which() % eps.size());
            }
            case 1 -> eps.add(Endpoint.ready("172.17." + (serial / 200) + "." + (serial % 200 + 1), ""));
            case 2 -> {
                if (!eps.isEmpty()) {
                    int i = e.which() % eps.size();
                    Endpoint x = eps.get(i);
                    eps.set(
                            i,
                            x.withState(
                                    x.state() == EndpointState.READY
                                            ? EndpointState.TERMINATING
                                            : EndpointState.READY));
                }
            }
            default -> {
                return s.withLoadBalancing(
                        LoadBalancing.values()[(s.loadBalancing().ordinal() + 1) % LoadBalancing.values().length]);
            }
        }
        return s.selector().isEmpty() ? s.withEndpoints(eps) : s;
    }

    @Test
    void anythingBeyondServiceRecordsTakesTheWholePath() {
        MeshState start = PlanBenchmark.state(20, 3);
        MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);
        MapPlan first = planner.plan(start, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        MeshState oneLess = start.withService(
                "bench/svc3", s -> s.withEndpoints(s.endpoints().subList(1, 3)));
        MapPlan small = planner.plan(oneLess, "n1", KernelConfig.DEFAULT, first.allocations());
        assertThat(small.derived()).isTrue();
        assertThat(MapPlan.diff(first, small).stream().mapToInt(MapOp::size).sum())
                .isEqualTo(3);
        // allocations other than the last plan's (e.g. a failed write kept the old plan): whole path
        assertThat(planner.plan(oneLess, "n1", KernelConfig.DEFAULT, first.allocations())
                        .derived())
                .isFalse();
        // a removed service: whole path
        MeshState removed = oneLess.toBuilder().removeService("bench/svc4").build();
        MapPlan afterRemoval = planner.plan(
                removed,
                "n1",
                KernelConfig.DEFAULT,
                planner.plan(oneLess, "n1", KernelConfig.DEFAULT, first.allocations())
                        .allocations());
        assertThat(afterRemoval.derived()).isFalse();
        assertThat(afterRemoval.entries(KernelMap.SERVICES)).hasSize(19);
    }

    private static Map<KernelMap, NavigableMap<Bytes, Bytes>> all(MapPlan plan) {
        Map<KernelMap, NavigableMap<Bytes, Bytes>> out = new EnumMap<>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) out.put(m, new TreeMap<>(plan.entries(m)));
        return out;
    }

    private static Map<KernelMap, NavigableMap<Bytes, Bytes>> apply(MapPlan from, List<MapOp> ops) {
        Map<KernelMap, NavigableMap<Bytes, Bytes>> maps = all(from);
        for (MapOp op : ops) {
            switch (op) {
                case MapOp.Put p -> p.entries().forEach(en -> maps.get(p.map()).put(en.key(), en.value()));
                case MapOp.Delete d -> d.keys().forEach(k -> maps.get(d.map()).remove(k));
            }
        }
        return maps;
    }
}
