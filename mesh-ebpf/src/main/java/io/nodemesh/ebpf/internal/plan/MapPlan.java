package io.nodemesh.ebpf.internal.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Everything a {@code MeshState} needs in the kernel maps of one node: for each {@link KernelMap}, the exact key and
 * value bytes. Made by {@link MapPlanner}; {@link #diff} turns two plans into ordered map operations.
 *
 * @param maps        each map's entries (every {@link KernelMap} is present, maybe empty)
 * @param allocations the ids and slots chosen, to pass to the next plan so they stay put
 * @param warnings    things the plan could not honour but that are not errors (e.g. a netns path that does not exist)
 */
public record MapPlan(Map<KernelMap, NavigableMap<Bytes, Bytes>> maps, Allocations allocations, List<String> warnings) {
    /** Nothing programmed: the plan of a fresh node, and the plan an uninstall goes to. */
    public static final MapPlan EMPTY = new MapPlan(Map.of(), Allocations.NONE, List.of());

    public MapPlan {
        var copy = new EnumMap<KernelMap, NavigableMap<Bytes, Bytes>>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) {
            NavigableMap<Bytes, Bytes> entries = maps.get(m);
            copy.put(m, Collections.unmodifiableNavigableMap(entries == null ? new TreeMap<>() : new TreeMap<>(entries)));
        }
        maps = Collections.unmodifiableMap(copy);
        warnings = List.copyOf(warnings);
    }

    public NavigableMap<Bytes, Bytes> entries(KernelMap map) {
        return maps.get(map);
    }

    public int size(KernelMap map) {
        return maps.get(map).size();
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
     */
    public static List<MapOp> diff(MapPlan from, MapPlan to) {
        List<MapOp> ops = new ArrayList<>();
        for (KernelMap m : List.of(KernelMap.IP_IDENTITY, KernelMap.NETNS_IDENTITY, KernelMap.CGROUP_IDENTITY,
                KernelMap.POLICY, KernelMap.POLICY_SELECTED, KernelMap.BACKENDS, KernelMap.MAGLEV, KernelMap.SERVICES)) {
            put(ops, m, from.entries(m), to.entries(m));
        }
        for (KernelMap m : List.of(KernelMap.SERVICES, KernelMap.MAGLEV, KernelMap.BACKENDS, KernelMap.POLICY,
                KernelMap.POLICY_SELECTED, KernelMap.IP_IDENTITY, KernelMap.NETNS_IDENTITY, KernelMap.CGROUP_IDENTITY)) {
            delete(ops, m, from.entries(m), to.entries(m));
        }
        put(ops, KernelMap.CONFIG, from.entries(KernelMap.CONFIG), to.entries(KernelMap.CONFIG));
        delete(ops, KernelMap.CONFIG, from.entries(KernelMap.CONFIG), to.entries(KernelMap.CONFIG));
        return ops;
    }

    private static void put(List<MapOp> ops, KernelMap m, NavigableMap<Bytes, Bytes> from, NavigableMap<Bytes, Bytes> to) {
        List<MapOp.Entry> entries = new ArrayList<>();
        to.forEach((k, v) -> {
            if (!v.equals(from.get(k))) entries.add(new MapOp.Entry(k, v));
        });
        if (!entries.isEmpty()) ops.add(new MapOp.Put(m, entries));
    }

    private static void delete(List<MapOp> ops, KernelMap m, NavigableMap<Bytes, Bytes> from, NavigableMap<Bytes, Bytes> to) {
        List<Bytes> keys = new ArrayList<>();
        from.keySet().forEach(k -> {
            if (!to.containsKey(k)) keys.add(k);
        });
        if (!keys.isEmpty()) ops.add(new MapOp.Delete(m, keys));
    }
}
