package io.nodemesh.ebpf.internal.plan;

import java.util.List;
import java.util.Map;

/**
 * The numbering a plan chose, carried into the next plan so ids and backend slots stay put.
 *
 * @param services    Service key ({@code namespace/name}) → service id
 * @param backendSets backend-set key ({@code namespace/name|v4} or {@code |v6}) → backend set id
 * @param identities  identity (SPIFFE id) → numeric identity (≥ 2; {@code host} is always 1)
 * @param slots       backend-set key → canonical endpoint addresses by slot
 */
public record Allocations(
        Map<String, Integer> services,
        Map<String, Integer> backendSets,
        Map<String, Integer> identities,
        Map<String, List<String>> slots) {
    public static final Allocations NONE = new Allocations(Map.of(), Map.of(), Map.of(), Map.of());

    public Allocations {
        services = Map.copyOf(services);
        backendSets = Map.copyOf(backendSets);
        identities = Map.copyOf(identities);
        // Slot lists change a few at a time: keep the structure-sharing map the planner's incremental path builds.
        slots = slots instanceof ChunkedMap<String, List<String>> c ? c : ChunkedMap.copyOf(Map.copyOf(slots));
    }
}
