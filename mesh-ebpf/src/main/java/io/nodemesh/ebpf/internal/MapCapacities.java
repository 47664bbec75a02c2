package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code max_entries} each map is created with, from the {@code ebpf.max*} limits. The planner accepts a state up
 * to the limits, so a map smaller than its limit would turn into a failed write (E2BIG) halfway through an apply;
 * instead every map is sized at load to hold its limit. A map never shrinks below the size compiled into
 * bpf/nodemesh.h (mirrored by {@link KernelAbi}), so the defaults stay as they were and an installation pinned with
 * the defaults is reused by an agent whose limits are lower.
 */
public final class MapCapacities {
    /** The nm_rr counter array: one per backend set (a service has one per address family) plus index 0. */
    static final String ROUND_ROBIN = "nm_rr";

    private MapCapacities() {}

    /** Map name → entries to create it with, for every map whose size follows an {@code ebpf.max*} option. */
    public static Map<String, Integer> sizes(PlanLimits limits) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put(ROUND_ROBIN, Math.max(KernelAbi.MAX_BACKEND_SETS, limits.backendSets()));
        size(sizes, KernelMap.SERVICES, limits.maxVipPorts());
        size(sizes, KernelMap.BACKENDS, limits.maxBackends());
        size(sizes, KernelMap.MAGLEV, limits.maxMaglevEntries());
        size(sizes, KernelMap.POLICY, limits.maxPolicyRules());
        size(sizes, KernelMap.POLICY_SELECTED, limits.maxPolicyRules());
        for (KernelMap m : List.of(
                KernelMap.IP_IDENTITY, KernelMap.NETNS_IDENTITY, KernelMap.CGROUP_IDENTITY, KernelMap.NETNS_ADDRESS))
            size(sizes, m, limits.maxIdentities());
        return Map.copyOf(sizes);
    }

    private static void size(Map<String, Integer> sizes, KernelMap map, int limit) {
        sizes.put(map.mapName(), Math.max(map.defaultMaxEntries(), limit));
    }
}
