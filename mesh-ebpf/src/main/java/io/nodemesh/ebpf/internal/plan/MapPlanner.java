package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Turns a {@code MeshState} into the {@link MapPlan} of one node. Pure: no system calls (netns and cgroup lookups go
 * through the {@link PlacementResolver}), so all of it is unit-tested without root.
 */
public final class MapPlanner {
    private final PlanLimits limits;
    private final PlacementResolver resolver;

    public MapPlanner(PlanLimits limits, PlacementResolver resolver) {
        this.limits = limits;
        this.resolver = resolver;
    }

    public PlanLimits limits() {
        return limits;
    }

    /** Capacity violations of {@code state} under these limits (in addition to {@code state.validate()}). */
    public List<Violation> validate(MeshState state) {
        return new CapacityValidator(limits).validate(state);
    }

    /**
     * The plan for {@code node}.
     *
     * @param state    a valid state (checked with {@code validate()} and {@link #validate} first)
     * @param node     the node this plan programs: its workloads are local
     * @param config   features and node proxy
     * @param previous the allocations of the plan currently programmed ({@link Allocations#NONE} on a fresh node)
     * @throws IllegalArgumentException if the state exceeds the limits (validate first to get every violation)
     */
    public MapPlan plan(MeshState state, String node, KernelConfig config, Allocations previous) {
        List<Violation> over = validate(state);
        if (!over.isEmpty()) throw new IllegalArgumentException("state exceeds the eBPF map capacity: " + over);
        Map<KernelMap, NavigableMap<Bytes, Bytes>> maps = new EnumMap<>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) maps.put(m, new TreeMap<>());
        List<String> warnings = new ArrayList<>();

        IdentityEntries identities = new IdentityEntries(state, previous.identities());
        identities.ipEntries(state, node, maps.get(KernelMap.IP_IDENTITY));
        identities.placementEntries(state, node, resolver, maps.get(KernelMap.NETNS_IDENTITY),
                maps.get(KernelMap.CGROUP_IDENTITY), warnings);

        ServiceEntries services = new ServiceEntries(state, limits, previous);
        services.entries(state, node, identities, limits, previous, maps.get(KernelMap.SERVICES),
                maps.get(KernelMap.BACKENDS), maps.get(KernelMap.MAGLEV));

        PolicyEntries.compile(state, identities::id, services::serviceId, maps.get(KernelMap.POLICY),
                maps.get(KernelMap.POLICY_SELECTED));

        byte[] proxyIp = config.proxyIp().isEmpty() ? new byte[16] : Addresses.toKernel(config.proxyIp());
        maps.get(KernelMap.CONFIG).put(Encode.u32(0),
                Encode.config(config.flags(), proxyIp, config.proxyPort(), policyGeneration(maps)));

        var allocations = new Allocations(services.serviceIdsAssigned(), services.backendSetsAssigned(),
                identities.assigned(), services.slots());
        return new MapPlan(maps, allocations, warnings);
    }

    /**
     * A fingerprint of everything a policy decision reads (rules, selections, identities), never 0. sk_msg caches each
     * socket's verdict with the generation it saw, so any change of these maps makes it decide again.
     */
    static long policyGeneration(Map<KernelMap, NavigableMap<Bytes, Bytes>> maps) {
        long h = 0xcbf29ce484222325L;
        for (KernelMap m : List.of(KernelMap.POLICY, KernelMap.POLICY_SELECTED, KernelMap.IP_IDENTITY,
                KernelMap.NETNS_IDENTITY, KernelMap.CGROUP_IDENTITY)) {
            h = mix(h, m.ordinal());
            for (var e : maps.get(m).entrySet()) {
                for (int i = 0; i < e.getKey().length(); i++) h = mix(h, e.getKey().get(i));
                for (int i = 0; i < e.getValue().length(); i++) h = mix(h, e.getValue().get(i));
            }
        }
        long folded = (h ^ (h >>> 32)) & 0xffff_ffffL;
        return folded == 0 ? 1 : folded;
    }

    private static long mix(long h, int b) {
        return (h ^ (b & 0xff)) * 0x100000001b3L;
    }
}
