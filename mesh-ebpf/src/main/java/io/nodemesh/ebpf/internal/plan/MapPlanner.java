package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Turns a {@code MeshState} into the {@link MapPlan} of one node. Pure: no system calls (netns and cgroup lookups go
 * through the {@link PlacementResolver}), so all of it is unit-tested without root. Keep one planner per node: it
 * caches each service's entries, so re-planning after a small change only recomputes the services that changed.
 */
public final class MapPlanner {
    private final PlanLimits limits;
    private final PlacementResolver resolver;
    /** Services' entries from earlier plans, reused when nothing they depend on changed. */
    private final ServiceCache cache = new ServiceCache();

    private final CapacityValidator capacity;
    /** What the last plan was made from, for the incremental path; null before the first plan. */
    private Last last;

    /**
     * The inputs and by-products of the last plan. {@code index} is the index of the state whose workloads the plan
     * used: it stays valid as long as the workloads list does (service lookups in it may be stale; none are made).
     */
    record Last(
            MeshState state,
            String node,
            KernelConfig config,
            MapPlan plan,
            IdentityEntries identities,
            io.nodemesh.api.state.MeshIndex index) {}

    public MapPlanner(PlanLimits limits, PlacementResolver resolver) {
        this.limits = limits;
        this.resolver = resolver;
        this.capacity = new CapacityValidator(limits);
    }

    public PlanLimits limits() {
        return limits;
    }

    /** Capacity violations of {@code state} under these limits (in addition to {@code state.validate()}). */
    public List<Violation> validate(MeshState state) {
        return capacity.validate(state);
    }

    /**
     * The plan for {@code node}.
     *
     * @param state    a valid state (checked with {@code validate()} and {@link #validate} first)
     * @param node     the node this plan programs: its workloads are local
     * @param config   features and node proxy
     * @param previous the allocations of the plan currently programmed ({@link Allocations#NONE} on a fresh node)
     * @throws IllegalStateException if the state needs more ids than the limits allow (callers validate first, which
     *                               reports every violation; planning does not repeat that work)
     */
    public synchronized MapPlan plan(MeshState state, String node, KernelConfig config, Allocations previous) {
        MapPlan incremental = IncrementalPlan.of(this, state, node, config, previous);
        return incremental != null ? incremental : planWhole(state, node, config, previous);
    }

    /** The incremental path's view of the last plan (null: none). */
    Last last() {
        return last;
    }

    ServiceCache cache() {
        return cache;
    }

    void remember(MeshState state, MapPlan plan) {
        last = new Last(state, last.node(), last.config(), plan, last.identities(), last.index());
    }

    /**
     * Only the maps that say which workload is which (by address, netns, cgroup) for {@code state} on {@code node},
     * numbered as {@code previous}: these depend on the kernel (a pod's namespace made anew has another cookie) as well
     * as on the state.
     */
    public Map<KernelMap, NavigableMap<Bytes, Bytes>> identityEntries(
            MeshState state, String node, Allocations previous) {
        Map<KernelMap, NavigableMap<Bytes, Bytes>> maps = new EnumMap<>(KernelMap.class);
        for (KernelMap m : IDENTITY_MAPS) maps.put(m, new TreeMap<>());
        IdentityEntries identities = new IdentityEntries(state, previous.identities());
        identities.ipEntries(state, node, maps.get(KernelMap.IP_IDENTITY));
        identities.placementEntries(
                state,
                node,
                resolver,
                maps.get(KernelMap.NETNS_IDENTITY),
                maps.get(KernelMap.NETNS_ADDRESS),
                maps.get(KernelMap.CGROUP_IDENTITY),
                new ArrayList<>());
        return maps;
    }

    public static final List<KernelMap> IDENTITY_MAPS = List.of(
            KernelMap.IP_IDENTITY, KernelMap.NETNS_IDENTITY, KernelMap.NETNS_ADDRESS, KernelMap.CGROUP_IDENTITY);

    /** Plans every map from scratch (ids, slots and cached service segments are still reused). */
    MapPlan planWhole(MeshState state, String node, KernelConfig config, Allocations previous) {
        Map<KernelMap, NavigableMap<Bytes, Bytes>> maps = new EnumMap<>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) maps.put(m, new TreeMap<>());
        List<String> warnings = new ArrayList<>();

        IdentityEntries identities = new IdentityEntries(state, previous.identities());
        identities.ipEntries(state, node, maps.get(KernelMap.IP_IDENTITY));
        identities.placementEntries(
                state,
                node,
                resolver,
                maps.get(KernelMap.NETNS_IDENTITY),
                maps.get(KernelMap.NETNS_ADDRESS),
                maps.get(KernelMap.CGROUP_IDENTITY),
                warnings);

        ServiceEntries services = new ServiceEntries(state, limits, previous);
        var index = state.index();
        Map<String, MapPlan.Segment> serviceSegments =
                services.segments(state, index, node, identities, limits, previous, cache);

        PolicyEntries.compile(
                state,
                identities::id,
                services::serviceId,
                maps.get(KernelMap.POLICY),
                maps.get(KernelMap.POLICY_SELECTED));

        byte[] proxyIp = config.proxyIp().isEmpty() ? new byte[16] : Addresses.toKernel(config.proxyIp());
        maps.get(KernelMap.CONFIG)
                .put(Encode.u32(0), Encode.config(config.flags(), proxyIp, config.proxyPort(), policyGeneration(maps)));

        Map<String, MapPlan.Segment> segments = new LinkedHashMap<>();
        segments.put(
                "identities",
                segment(
                        maps,
                        KernelMap.IP_IDENTITY,
                        KernelMap.NETNS_IDENTITY,
                        KernelMap.NETNS_ADDRESS,
                        KernelMap.CGROUP_IDENTITY));
        segments.put("policy", segment(maps, KernelMap.POLICY, KernelMap.POLICY_SELECTED));
        segments.putAll(serviceSegments);
        segments.put("config", segment(maps, KernelMap.CONFIG));
        var allocations = new Allocations(
                services.serviceIdsAssigned(), services.backendSetsAssigned(), identities.assigned(), services.slots());
        MapPlan plan = MapPlan.ofSegments(segments, allocations, warnings);
        last = new Last(state, node, config, plan, identities, index);
        return plan;
    }

    private static MapPlan.Segment segment(Map<KernelMap, NavigableMap<Bytes, Bytes>> maps, KernelMap... which) {
        var picked = new EnumMap<KernelMap, NavigableMap<Bytes, Bytes>>(KernelMap.class);
        for (KernelMap m : which) picked.put(m, maps.get(m));
        return new MapPlan.Segment(picked);
    }

    /**
     * A fingerprint of everything a policy decision reads (rules, selections, identities), never 0. sk_msg caches each
     * socket's verdict with the generation it saw, so any change of these maps makes it decide again.
     */
    static long policyGeneration(Map<KernelMap, NavigableMap<Bytes, Bytes>> maps) {
        long h = 0xcbf29ce484222325L;
        for (KernelMap m : List.of(
                KernelMap.POLICY,
                KernelMap.POLICY_SELECTED,
                KernelMap.IP_IDENTITY,
                KernelMap.NETNS_IDENTITY,
                KernelMap.CGROUP_IDENTITY)) {
            h = mix(h, m.ordinal());
            for (var e : maps.get(m).entrySet()) {
                for (int i = 0; i < e.getKey().length(); i++)
                    h = mix(h, e.getKey().get(i));
                for (int i = 0; i < e.getValue().length(); i++)
                    h = mix(h, e.getValue().get(i));
            }
        }
        long folded = (h ^ (h >>> 32)) & 0xffff_ffffL;
        return folded == 0 ? 1 : folded;
    }

    private static long mix(long h, int b) {
        return (h ^ (b & 0xff)) * 0x100000001b3L;
    }
}
