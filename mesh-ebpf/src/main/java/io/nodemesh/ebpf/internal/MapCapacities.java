package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ebpf.max*} limits against the maps' {@code max_entries} compiled into the programs (bpf/nodemesh.h, mirrored
 * by {@link KernelAbi}; a pinned map of another size is refused when the objects load). The planner accepts a state up
 * to the limits, so a limit above what a map holds would turn into a failed write (E2BIG) halfway through an apply;
 * this is checked when the dataplane opens instead, before anything is loaded, naming each option, map and size.
 */
public final class MapCapacities {
    private MapCapacities() {}

    /** @throws IllegalArgumentException listing every limit that exceeds its map */
    public static void check(PlanLimits limits) {
        List<String> problems = new ArrayList<>();
        int services = limits.maxServices(), identities = limits.maxIdentities(), rules = limits.maxPolicyRules();
        need(problems, "nm_rr", KernelAbi.MAX_BACKEND_SETS, "ebpf.maxServices", services, limits.backendSets());
        need(problems, KernelMap.SERVICES, "ebpf.maxVipPorts", limits.maxVipPorts());
        need(problems, KernelMap.BACKENDS, "ebpf.maxBackends", limits.maxBackends());
        need(problems, KernelMap.MAGLEV, "ebpf.maxMaglevEntries", limits.maxMaglevEntries());
        need(problems, KernelMap.POLICY, "ebpf.maxPolicyRules", rules);
        need(problems, KernelMap.POLICY_SELECTED, "ebpf.maxPolicyRules", rules);
        for (KernelMap m : List.of(
                KernelMap.IP_IDENTITY, KernelMap.NETNS_IDENTITY, KernelMap.CGROUP_IDENTITY, KernelMap.NETNS_ADDRESS))
            need(problems, m, "ebpf.maxIdentities", identities);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the eBPF maps are smaller than the configured limits: "
                    + String.join("; ", problems)
                    + " (the sizes are compiled into bpf/nodemesh.h: lower the options, or rebuild the programs"
                    + " with larger NM_MAX_* and uninstall the old pins)");
        }
    }

    private static void need(List<String> problems, KernelMap map, String option, int value) {
        need(problems, map.mapName(), map.defaultMaxEntries(), option, value, value);
    }

    private static void need(List<String> problems, String map, int max, String option, int value, int entries) {
        if (entries > max)
            problems.add(option + " = " + value + " needs " + entries + " entries of " + map + ", which holds " + max);
    }
}
