package io.nodemesh.ebpf.internal;

import io.nodemesh.api.ApplyException;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.MapType;
import io.nodemesh.ebpf.bpf.UpdateFlag;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.plan.Allocations;
import io.nodemesh.ebpf.internal.plan.MapOp;
import io.nodemesh.ebpf.internal.plan.MapPlan;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link MapPlan} into the kernel maps: the diff from what is there, batch by batch in the plan's safe order;
 * on any failure the batches already written are undone (the inverse diff), so the previous state keeps serving.
 */
final class PlanWriter {
    private static final Logger LOG = LoggerFactory.getLogger(PlanWriter.class);

    private final Function<String, BpfMap> maps;

    PlanWriter(Function<String, BpfMap> maps) {
        this.maps = maps;
    }

    /**
     * What the maps hold now, as a plan (allocations unknown): the starting point after an agent restart, so the first
     * apply writes only the difference and removes what the previous agent left that the new state lacks.
     */
    MapPlan readBack() {
        Map<KernelMap, NavigableMap<Bytes, Bytes>> entries = new EnumMap<>(KernelMap.class);
        for (KernelMap km : KernelMap.values()) {
            BpfMap map = maps.apply(km.mapName());
            NavigableMap<Bytes, Bytes> out = new TreeMap<>();
            map.entries().forEach((k, v) -> {
                // An array slot of zeros is "nothing written" (nm_config before the first apply).
                if (map.type() != MapType.ARRAY || !allZero(v)) out.put(Bytes.of(k.bytes()), Bytes.of(v));
            });
            entries.put(km, out);
        }
        return new MapPlan(entries, Allocations.NONE, List.of());
    }

    /** Makes the maps hold {@code to}, given they hold {@code from}; all or nothing. Returns the entries written. */
    int write(MapPlan from, MapPlan to) {
        return write(MapPlan.diff(from, to), from, to);
    }

    /**
     * Makes the maps hold {@code to} writing every one of its entries, whatever {@code held} (what the maps hold)
     * says, and deletes what {@code held} has beyond it: for maps whose read-back is not trusted. A failure restores
     * {@code held}.
     */
    int rewrite(MapPlan held, MapPlan to) {
        Map<KernelMap, NavigableMap<Bytes, Bytes>> unknown = new EnumMap<>(KernelMap.class);
        Bytes none = Bytes.of(new byte[0]); // equal to no planned value, so every entry is written
        for (KernelMap km : KernelMap.values()) {
            NavigableMap<Bytes, Bytes> keys = new TreeMap<>();
            held.entries(km).keySet().forEach(k -> keys.put(k, none));
            unknown.put(km, keys);
        }
        return write(MapPlan.diff(new MapPlan(unknown, Allocations.NONE, List.of()), to), held, to);
    }

    private int write(List<MapOp> ops, MapPlan from, MapPlan to) {
        int done = 0;
        int entries = 0;
        try {
            for (MapOp op : ops) {
                apply(op);
                done++;
                entries += op.size();
            }
            return entries;
        } catch (RuntimeException e) {
            LOG.warn(
                    "writing the maps failed at batch {} of {} ({}); rolling back",
                    done + 1,
                    ops.size(),
                    e.getMessage());
            rollBack(to, from);
            throw new ApplyException(
                    "programming the eBPF maps failed at " + describe(ops.get(done)) + ": " + e.getMessage()
                            + "; rolled back to the previous state",
                    e);
        }
    }

    /** Best effort, every batch attempted: the inverse diff is idempotent, keys never written are simply absent. */
    private void rollBack(MapPlan partlyWritten, MapPlan previous) {
        for (MapOp op : MapPlan.diff(partlyWritten, previous)) {
            try {
                apply(op);
            } catch (RuntimeException e) {
                LOG.error("rollback of {} failed: {}", describe(op), e.getMessage());
            }
        }
    }

    private void apply(MapOp op) {
        BpfMap map = maps.apply(op.map().mapName());
        switch (op) {
            case MapOp.Put put -> {
                Map<BpfMap.Key, byte[]> batch = new LinkedHashMap<>();
                put.entries()
                        .forEach(e -> batch.put(
                                new BpfMap.Key(e.key().toArray()), e.value().toArray()));
                map.updateBatch(batch, UpdateFlag.ANY);
            }
            case MapOp.Delete delete -> {
                if (map.type() == MapType.ARRAY) {
                    // Array entries cannot be deleted; zero means "not configured" to the programs.
                    for (Bytes k : delete.keys()) map.put(k.toArray(), new byte[map.valueSize()]);
                } else {
                    map.deleteAll(delete.keys().stream()
                            .map(k -> new BpfMap.Key(k.toArray()))
                            .toList());
                }
            }
        }
    }

    private static String describe(MapOp op) {
        return (op instanceof MapOp.Put ? "writing " : "deleting ") + op.size() + " entries of "
                + op.map().mapName();
    }

    private static boolean allZero(byte[] v) {
        for (byte b : v) if (b != 0) return false;
        return true;
    }
}
