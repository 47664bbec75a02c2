package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a {@code MeshState} needs in the kernel maps of one node: for each {@link KernelMap}, the exact key and
 * value bytes. Made by {@link MapPlanner}; {@link #diff} turns two plans into ordered map operations.
 * <p>
 * Inside, entries are grouped by what produced them — one {@link Segment} per service, one for identities, one for
 * policy, one for the config — so that a planner can reuse the segments of unchanged services and {@link #diff} can
 * skip them: one endpoint change then costs one service's entries, not the whole mesh's.
 */
public final class MapPlan {
    /** Entries produced by one owner (a service, the identities, the policies, the config), per map. */
    public record Segment(Map<KernelMap, NavigableMap<Bytes, Bytes>> maps) {
        public Segment {
            var copy = new EnumMap<KernelMap, NavigableMap<Bytes, Bytes>>(KernelMap.class);
            maps.forEach((m, e) -> {
                if (!e.isEmpty()) copy.put(m, Collections.unmodifiableNavigableMap(new TreeMap<>(e)));
            });
            maps = Collections.unmodifiableMap(copy);
        }

        NavigableMap<Bytes, Bytes> entries(KernelMap m) {
            return maps.getOrDefault(m, Collections.emptyNavigableMap());
        }
    }

    /** The owner of a plan made from raw map contents (read back from the kernel): no finer grouping is known. */
    static final String WHOLE = "*";

    /** Plan numbers (declared before EMPTY, which takes the first). */
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    /** Nothing programmed: the plan of a fresh node, and the plan an uninstall goes to. */
    public static final MapPlan EMPTY = ofSegments(Map.of(), Allocations.NONE, List.of());

    private final Map<String, Segment> segments;
    /** This plan's number, and the number of the plan it was derived from with {@link #replacing} (0: none). */
    private final long id = IDS.incrementAndGet();

    private final long baseId;
    /** Owners whose segment differs from the base plan's (null when not derived): all {@link #diff} needs to visit. */
    private final Set<String> changedOwners;

    private final Allocations allocations;
    private final List<String> warnings;
    private final Map<KernelMap, NavigableMap<Bytes, Bytes>> merged = new EnumMap<>(KernelMap.class);

    /** A plan of raw map contents, e.g. what the pinned maps hold after an agent restart. */
    public MapPlan(Map<KernelMap, NavigableMap<Bytes, Bytes>> maps, Allocations allocations, List<String> warnings) {
        this(allocations, warnings, Map.of(WHOLE, new Segment(maps)));
    }

    private MapPlan(Allocations allocations, List<String> warnings, Map<String, Segment> segments) {
        this(allocations, warnings, ChunkedMap.copyOf(new LinkedHashMap<>(segments)), 0, null);
    }

    private MapPlan(
            Allocations allocations,
            List<String> warnings,
            ChunkedMap<String, Segment> segments,
            long baseId,
            Set<String> changedOwners) {
        this.segments = segments;
        this.allocations = allocations;
        this.warnings = List.copyOf(warnings);
        this.baseId = baseId;
        this.changedOwners = changedOwners;
    }

    /**
     * This plan with the segments of {@code changes} replaced (owners not in this plan are appended) and new
     * allocations: the planner's incremental path. Costs O(changes), not O(plan); diffing the two plans visits only
     * the changed owners. Warnings are kept (they come from identities and placements, which did not change).
     */
    MapPlan replacing(Map<String, Segment> changes, Allocations allocations) {
        var changed = ChunkedMap.copyOf(segments).replacing(changes);
        return new MapPlan(allocations, warnings, changed, id, Set.copyOf(changes.keySet()));
    }

    /** A plan from per-owner segments (owner names are the planner's; the order decides who wins a duplicate key). */
    static MapPlan ofSegments(Map<String, Segment> segments, Allocations allocations, List<String> warnings) {
        return new MapPlan(allocations, warnings, segments);
    }

    /** True when this plan was derived from another with {@link #replacing} (the planner's incremental path). */
    boolean derived() {
        return baseId != 0;
    }

    /** The ids and slots chosen, to pass to the next plan so they stay put. */
    public Allocations allocations() {
        return allocations;
    }

    /** Things the plan could not honour but that are not errors (e.g. a netns path that does not exist). */
    public List<String> warnings() {
        return warnings;
    }

    /** Every entry of {@code map} (merged over all owners; the first owner of a key wins). */
    public synchronized NavigableMap<Bytes, Bytes> entries(KernelMap map) {
        return merged.computeIfAbsent(map, m -> {
            TreeMap<Bytes, Bytes> all = new TreeMap<>();
            for (Segment s : segments.values()) s.entries(m).forEach(all::putIfAbsent);
            return Collections.unmodifiableNavigableMap(all);
        });
    }

    public int size(KernelMap map) {
        return entries(map).size();
    }

    Map<String, Segment> segments() {
        return segments;
    }

    private boolean whole() {
        return segments.size() <= 1 && (segments.isEmpty() || segments.containsKey(WHOLE));
    }

    /**
     * The operations that turn what {@code from} programmed into what {@code to} needs, in an order that never exposes a
     * half state:
     * <ol>
     *   <li>identities, then policy rules and selections are written (new numbers exist before anything refers to them);</li>
     *   <li>backends, then Maglev tables are written, and only then the service entries that count and point at them —
     *       so a VIP is never visible with a count larger than its programmed slots;</li>
     *   <li>service entries are deleted before their Maglev tables and backends;</li>
     *   <li>stale policy entries and identities are deleted last;</li>
     *   <li>{@code nm_config} is written at the very end: on a fresh node the programs stay inert until everything
     *       is in place, and a new {@code policy_generation} makes sk_msg re-decide only once policy is complete.</li>
     * </ol>
     * Rolling back a partly applied diff is {@code diff(to, from)}: the same order rules hold the other way.
     * Segments the two plans share (the same object) are skipped without looking at their entries.
     */
    public static List<MapOp> diff(MapPlan from, MapPlan to) {
        // One plan derived from the other (a small change, or rolling one back): only its changed owners can differ.
        Set<String> owners = to.baseId == from.id ? to.changedOwners : from.baseId == to.id ? from.changedOwners : null;
        List<MapOp> ops = new ArrayList<>();
        for (KernelMap m : List.of(
                KernelMap.IP_IDENTITY,
                KernelMap.NETNS_IDENTITY,
                KernelMap.NETNS_ADDRESS,
                KernelMap.CGROUP_IDENTITY,
                KernelMap.POLICY,
                KernelMap.POLICY_SELECTED,
                KernelMap.BACKENDS,
                KernelMap.MAGLEV,
                KernelMap.SERVICES)) {
            put(ops, m, from, to, owners);
        }
        for (KernelMap m : List.of(
                KernelMap.SERVICES,
                KernelMap.MAGLEV,
                KernelMap.BACKENDS,
                KernelMap.POLICY,
                KernelMap.POLICY_SELECTED,
                KernelMap.IP_IDENTITY,
                KernelMap.NETNS_IDENTITY,
                KernelMap.NETNS_ADDRESS,
                KernelMap.CGROUP_IDENTITY)) {
            delete(ops, m, from, to, owners);
        }
        put(ops, KernelMap.CONFIG, from, to, owners);
        delete(ops, KernelMap.CONFIG, from, to, owners);
        return ops;
    }

    /** The owners to visit: {@code candidates} when known, else every owner of {@code plan}. */
    private static Iterable<String> owners(MapPlan plan, Set<String> candidates) {
        return candidates != null ? candidates : plan.segments.keySet();
    }

    private static void put(List<MapOp> ops, KernelMap m, MapPlan from, MapPlan to, Set<String> candidates) {
        List<MapOp.Entry> entries = new ArrayList<>();
        if (from.whole() || to.whole()) {
            NavigableMap<Bytes, Bytes> f = from.entries(m);
            to.entries(m).forEach((k, v) -> {
                if (!v.equals(f.get(k))) entries.add(new MapOp.Entry(k, v));
            });
        } else {
            // A key that keeps its value under the same owner needs no write; one that moved owner is simply
            // written again (harmless). Owners with the same segment object are skipped altogether.
            for (String owner : owners(to, candidates)) {
                Segment t = to.segments.get(owner);
                Segment f = from.segments.get(owner);
                if (t == f || t == null) continue;
                NavigableMap<Bytes, Bytes> fm = f == null ? Collections.emptyNavigableMap() : f.entries(m);
                t.entries(m).forEach((k, v) -> {
                    if (!v.equals(fm.get(k))) entries.add(new MapOp.Entry(k, v));
                });
            }
        }
        if (!entries.isEmpty()) ops.add(new MapOp.Put(m, entries));
    }

    private static void delete(List<MapOp> ops, KernelMap m, MapPlan from, MapPlan to, Set<String> candidates) {
        List<Bytes> keys = new ArrayList<>();
        if (from.whole() || to.whole()) {
            NavigableMap<Bytes, Bytes> t = to.entries(m);
            from.entries(m).keySet().forEach(k -> {
                if (!t.containsKey(k)) keys.add(k);
            });
        } else {
            // A key still wanted by `to` is in a segment of `to`; if it left its owner in `from`, that owner's segment
            // changed — and so did the one it moved to, since keys are never in two segments of one plan. So checking
            // the changed segments of `to` is enough.
            Set<Bytes> keptElsewhere = null;
            for (String owner : owners(from, candidates)) {
                Segment f = from.segments.get(owner);
                Segment t = to.segments.get(owner);
                if (t == f || f == null) continue;
                NavigableMap<Bytes, Bytes> tm = t == null ? Collections.emptyNavigableMap() : t.entries(m);
                for (Bytes k : f.entries(m).keySet()) {
                    if (tm.containsKey(k)) continue;
                    if (keptElsewhere == null) keptElsewhere = changedKeys(m, from, to, candidates);
                    if (!keptElsewhere.contains(k)) keys.add(k);
                }
            }
        }
        if (!keys.isEmpty()) ops.add(new MapOp.Delete(m, keys));
    }

    private static Set<Bytes> changedKeys(KernelMap m, MapPlan from, MapPlan to, Set<String> candidates) {
        Set<Bytes> keys = new HashSet<>();
        for (String owner : owners(to, candidates)) {
            Segment t = to.segments.get(owner);
            if (t != null && t != from.segments.get(owner))
                keys.addAll(t.entries(m).keySet());
        }
        return keys;
    }

    @Override
    public String toString() {
        return "MapPlan[" + segments.size() + " segments, " + warnings.size() + " warnings]";
    }
}
