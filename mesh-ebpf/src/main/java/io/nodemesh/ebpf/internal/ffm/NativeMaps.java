package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.*;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.batchOpts;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.bytes;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.call;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.check;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.nodemesh.ebpf.bpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Map element operations on a map fd, one at a time and in batches. ENOENT is an answer here, not an error. */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class NativeMaps {
    private NativeMaps() {}

    static boolean lookup(int mapFd, byte[] key, byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, key);
            MemorySegment v = a.allocate(Math.max(1, value.length), 8);
            int rc = call(() -> (int) bpf_map_lookup_elem.invokeExact(mapFd, k, v));
            if (rc == -2) return false;
            check(rc, "lookup");
            MemorySegment.copy(v, JAVA_BYTE, 0, value, 0, value.length);
            return true;
        }
    }

    static void update(int mapFd, byte[] key, byte[] value, long flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, key);
            MemorySegment v = bytes(a, value);
            check(call(() -> (int) bpf_map_update_elem.invokeExact(mapFd, k, v, flags)), "update");
        }
    }

    static boolean delete(int mapFd, byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, key);
            int rc = call(() -> (int) bpf_map_delete_elem.invokeExact(mapFd, k));
            if (rc == -2) return false;
            check(rc, "delete");
            return true;
        }
    }

    static boolean nextKey(int mapFd, byte[] key, byte[] next) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = key == null ? MemorySegment.NULL : bytes(a, key);
            MemorySegment n = a.allocate(Math.max(1, next.length), 8);
            int rc = call(() -> (int) bpf_map_get_next_key.invokeExact(mapFd, k, n));
            if (rc == -2) return false;
            check(rc, "get next key");
            MemorySegment.copy(n, JAVA_BYTE, 0, next, 0, next.length);
            return true;
        }
    }

    static void updateBatch(int mapFd, byte[] keys, byte[] values, int count, long flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, keys);
            MemorySegment v = bytes(a, values);
            MemorySegment n = a.allocateFrom(JAVA_INT, count);
            MemorySegment opts = batchOpts(a, flags);
            int rc = call(() -> (int) bpf_map_update_batch.invokeExact(mapFd, k, v, n, opts));
            if (rc < 0) {
                throw new BpfException(
                        "batch update (" + n.get(JAVA_INT, 0) + " of " + count + " entries written)", -rc);
            }
        }
    }

    static int deleteBatch(int mapFd, byte[] keys, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, keys);
            MemorySegment n = a.allocateFrom(JAVA_INT, count);
            MemorySegment opts = batchOpts(a, 0);
            int rc = call(() -> (int) bpf_map_delete_batch.invokeExact(mapFd, k, n, opts));
            if (rc < 0 && rc != -2) throw new BpfException("batch delete", -rc);
            return n.get(JAVA_INT, 0);
        }
    }

    static int lookupBatch(int mapFd, byte[] in, byte[] out, byte[] keys, byte[] values, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment inSeg = in == null ? MemorySegment.NULL : bytes(a, in);
            MemorySegment outSeg = a.allocate(Math.max(1, out.length), 8);
            MemorySegment k = a.allocate(Math.max(1, keys.length), 8);
            MemorySegment v = a.allocate(Math.max(1, values.length), 8);
            MemorySegment n = a.allocateFrom(JAVA_INT, count);
            MemorySegment opts = batchOpts(a, 0);
            int rc = call(() -> (int) bpf_map_lookup_batch.invokeExact(mapFd, inSeg, outSeg, k, v, n, opts));
            if (rc < 0 && rc != -2) throw new BpfException("batch lookup", -rc);
            int read = n.get(JAVA_INT, 0);
            MemorySegment.copy(k, JAVA_BYTE, 0, keys, 0, keys.length);
            MemorySegment.copy(v, JAVA_BYTE, 0, values, 0, values.length);
            MemorySegment.copy(outSeg, JAVA_BYTE, 0, out, 0, out.length);
            return rc == -2 ? -(read + 1) : read; // ENOENT: the map ended with this batch
        }
    }
}
