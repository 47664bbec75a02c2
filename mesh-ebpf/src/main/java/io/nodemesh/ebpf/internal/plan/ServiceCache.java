package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers each service's planned entries with everything they were computed from, so the next plan reuses them
 * (the same {@link MapPlan.Segment} object, which {@link MapPlan#diff} then skips) when nothing they depend on
 * changed. A service's entries depend on the service itself, its ids and previous slots, and — through selectors and
 * backend identities — on the workloads, the identity numbering, the node and the Maglev table size: a change of those
 * shared inputs drops the whole cache.
 */
final class ServiceCache {
    /** Inputs shared by every service. */
    record Context(
            List<Workload> workloads,
            List<io.nodemesh.api.state.Node> nodes,
            Map<String, Integer> identities,
            String node,
            int maglevTableSize) {}

    /** Inputs of one service. */
    record Inputs(
            Service service,
            int serviceId,
            Map<String, Integer> backendSets,
            Map<String, List<String>> previousSlots) {}

    /** What planning one service produced. */
    record Output(MapPlan.Segment segment, Map<String, List<String>> slots) {}

    private record Cached(Inputs inputs, Output output) {}

    private Context context;
    private final Map<String, Cached> byService = new HashMap<>();

    synchronized void begin(Context next) {
        if (!next.equals(context)) {
            byService.clear();
            context = next;
        }
    }

    synchronized Output get(String serviceKey, Inputs inputs) {
        Cached c = byService.get(serviceKey);
        if (c == null) return null;
        if (c.inputs().equals(inputs)) return c.output();
        // The usual next round: the previous slots handed in are the ones this output chose, and the slot assignment
        // of an unchanged service keeps them as they are.
        Inputs was = c.inputs();
        boolean sameButSlots = was.service().equals(inputs.service())
                && was.serviceId() == inputs.serviceId()
                && was.backendSets().equals(inputs.backendSets())
                && inputs.previousSlots().equals(c.output().slots());
        return sameButSlots ? c.output() : null;
    }

    synchronized void put(String serviceKey, Inputs inputs, Output output) {
        byService.put(serviceKey, new Cached(inputs, output));
    }

    /** Forgets services the state no longer has. */
    synchronized void retain(Set<String> serviceKeys) {
        byService.keySet().retainAll(serviceKeys);
    }
}
