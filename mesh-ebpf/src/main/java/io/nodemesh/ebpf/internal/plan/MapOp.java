package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import java.util.List;

/**
 * One batch of a plan diff: entries to write into, or keys to delete from, one map. Batches must be applied in the
 * order {@link MapPlan#diff} returns them; within a batch order does not matter (one batch syscall may carry it).
 */
public sealed interface MapOp {
    KernelMap map();

    int size();

    /** Write (create or overwrite) these entries. */
    record Put(KernelMap map, List<Entry> entries) implements MapOp {
        public Put {
            entries = List.copyOf(entries);
        }

        @Override
        public int size() {
            return entries.size();
        }
    }

    /** Delete these keys. */
    record Delete(KernelMap map, List<Bytes> keys) implements MapOp {
        public Delete {
            keys = List.copyOf(keys);
        }

        @Override
        public int size() {
            return keys.size();
        }
    }

    /** One key and its value. */
    record Entry(Bytes key, Bytes value) {}
}
