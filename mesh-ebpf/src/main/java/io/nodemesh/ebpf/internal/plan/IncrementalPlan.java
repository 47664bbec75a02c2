package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The planner's fast path: when the only difference from the last plan is in some services' own records (endpoints,
 * ports, load balancing, …), re-plan just those services and derive the new plan from the last one
 * ({@link MapPlan#replacing}), without walking the rest of the mesh. One endpoint change at 10,000 services then costs
 * one service's planning plus a walk of the services list comparing references.
 * <p>
 * Anything else — workloads, policies, node, config, services added, removed, reordered or changing their VIP families,
 * or allocations other than the last plan's (a failed write, a restart) — returns null and the caller plans the whole
 * state, which reuses cached segments the same way. Both paths give the same plan (a property test checks it).
 */
final class IncrementalPlan {
    private IncrementalPlan() {}

    /** The plan of {@code next} derived from the planner's last one, or null when the whole state must be planned. */
    static MapPlan of(MapPlanner planner, MeshState next, String node, KernelConfig config, Allocations previous) {
        var last = planner.last();
        if (last == null
                || previous != last.plan().allocations()
                || !last.node().equals(node)
                || !last.config().equals(config)) {
            return null;
        }
        MeshState was = last.state();
        // Nodes: their zones decide which endpoints a service with a locality uses here.
        if (!SameElements.of(was.workloads(), next.workloads())
                || !SameElements.of(was.policies(), next.policies())
                || !SameElements.of(was.nodes(), next.nodes())) return null;
        List<Service> before = was.services(), after = next.services();
        if (before.size() != after.size()) return null;
        Map<String, MapPlan.Segment> segments = new LinkedHashMap<>();
        Map<String, List<String>> slots = new HashMap<>();
        for (int i : ReplacedPositions.of(was, next)) {
            Service s = after.get(i), old = before.get(i);
            if (s == old) continue;
            // Same key, same VIP families: same service id and backend sets, so nothing outside this service moves
            // (policy refers to services by id, identities do not depend on services).
            if (!s.key().equals(old.key()) || !ServiceEntries.families(s).equals(ServiceEntries.families(old)))
                return null;
            if (s.equals(old)) continue;
            Integer serviceId = previous.services().get(s.key());
            if (serviceId == null) return null;
            Map<String, Integer> sets = new LinkedHashMap<>();
            Map<String, List<String>> previousSlots = new HashMap<>();
            for (ServiceEntries.Family f : ServiceEntries.families(s)) {
                String setKey = ServiceEntries.setKey(s, f);
                Integer set = previous.backendSets().get(setKey);
                if (set == null) return null;
                sets.put(setKey, set);
                previousSlots.put(setKey, previous.slots().getOrDefault(setKey, List.of()));
            }
            var inputs = new ServiceCache.Inputs(s, serviceId, sets, previousSlots);
            ServiceCache.Output output = planner.cache().get(s.key(), inputs);
            if (output == null) {
                output = ServiceEntries.plan(last.index(), s, inputs, node, last.identities(), planner.limits());
                planner.cache().put(s.key(), inputs, output);
            }
            segments.put(ServiceEntries.owner(s.key()), output.segment());
            slots.putAll(output.slots());
        }
        MapPlan plan = segments.isEmpty()
                ? last.plan()
                : last.plan()
                        .replacing(
                                segments,
                                new Allocations(
                                        previous.services(),
                                        previous.backendSets(),
                                        previous.identities(),
                                        ChunkedMap.copyOf(previous.slots()).replacing(slots)));
        planner.remember(next, plan);
        return plan;
    }
}
