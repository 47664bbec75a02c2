package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A kernel map, untyped (keys and values are byte arrays of the map's sizes). Typed views sit on top:
 * {@link HashMapView}, {@link ArrayView}, {@link SockHashView}, {@link RingBuffer}.
 * A map from a {@link BpfObject} lives with the object; one from {@link Bpf#openPinnedMap} owns its fd until closed.
 */
public final class BpfMap implements AutoCloseable {
    private final Libbpf libbpf;
    private final MapDefinition definition;
    private final int fd;
    private final boolean ownsFd;
    private boolean batchUnsupported;

    BpfMap(Libbpf libbpf, MapDefinition definition, int fd, boolean ownsFd) {
        this.libbpf = libbpf;
        this.definition = definition;
        this.fd = fd;
        this.ownsFd = ownsFd;
    }

    public String name() {
        return definition.name();
    }

    public MapType type() {
        return definition.type();
    }

    public MapDefinition definition() {
        return definition;
    }

    public int keySize() {
        return definition.keySize();
    }

    public int valueSize() {
        return definition.valueSize();
    }

    public int fd() {
        return fd;
    }

    Libbpf libbpf() {
        return libbpf;
    }

    /** The kernel's view of this map now. */
    public MapInfo info() {
        return libbpf.mapInfo(fd);
    }

    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        if (perCpu()) throw new IllegalStateException("map " + name() + " is per-CPU: use lookupPerCpu");
        byte[] value = new byte[valueSize()];
        try {
            return libbpf.lookup(fd, key, value) ? Optional.of(value) : Optional.empty();
        } catch (BpfException e) {
            throw failure("lookup in", e);
        }
    }

    /** The value of every possible CPU, for PERCPU_ARRAY / PERCPU_HASH maps (each value padded to 8 bytes by the kernel). */
    public Optional<List<byte[]>> lookupPerCpu(byte[] key) {
        checkKey(key);
        if (!perCpu()) throw new IllegalStateException("map " + name() + " is not per-CPU");
        int stride = (valueSize() + 7) & ~7;
        int cpus = PossibleCpus.count();
        byte[] all = new byte[stride * cpus];
        try {
            if (!libbpf.lookup(fd, key, all)) return Optional.empty();
        } catch (BpfException e) {
            throw failure("lookup in", e);
        }
        List<byte[]> out = new ArrayList<>();
        for (int c = 0; c < cpus; c++) out.add(Arrays.copyOfRange(all, c * stride, c * stride + valueSize()));
        return Optional.of(out);
    }

    private boolean perCpu() {
        return type() == MapType.PERCPU_ARRAY || type() == MapType.PERCPU_HASH;
    }

    /** Creates or replaces; a full map throws with {@code E2BIG} named. */
    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        checkKey(key);
        checkValue(value, 1);
        try {
            libbpf.update(fd, key, value, flag.bits);
        } catch (BpfException e) {
            throw failure("update", e);
        }
    }

    public void put(byte[] key, byte[] value) {
        update(key, value, UpdateFlag.ANY);
    }

    /** True when the key was present. */
    public boolean delete(byte[] key) {
        checkKey(key);
        try {
            return libbpf.delete(fd, key);
        } catch (BpfException e) {
            throw failure("delete from", e);
        }
    }

    /** Every key, by iterating with {@code BPF_MAP_GET_NEXT_KEY}. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        byte[] key = null;
        while (true) {
            byte[] next = new byte[keySize()];
            if (!libbpf.nextKey(fd, key, next)) return keys;
            keys.add(next);
            key = next;
            if (keys.size() > Math.max(1, definition.maxEntries()) * 2L) {
                return keys; // entries changing under us can make iteration restart; stop rather than loop
            }
        }
    }

    /** Every entry: one {@code BPF_MAP_LOOKUP_BATCH} sweep when the kernel supports it for this map, else key by key. */
    public Map<Key, byte[]> entries() {
        if (!batchUnsupported && supportsBatch()) {
            try {
                return entriesBatched();
            } catch (BpfException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOTSUPP && e.errno() != Errno.EOPNOTSUPP)
                    throw failure("read", e);
                batchUnsupported = true;
            }
        }
        Map<Key, byte[]> out = new LinkedHashMap<>();
        for (byte[] k : keys()) lookup(k).ifPresent(v -> out.put(new Key(k), v));
        return out;
    }

    private Map<Key, byte[]> entriesBatched() {
        Map<Key, byte[]> out = new LinkedHashMap<>();
        int chunk = Math.max(1, Math.min(256, definition.maxEntries()));
        // Hash maps want a cursor of at least key size; arrays of 4 bytes; use the larger.
        int cursorSize = Math.max(keySize(), 8);
        byte[] in = null;
        while (true) {
            byte[] out0 = new byte[cursorSize];
            byte[] keys = new byte[chunk * keySize()];
            byte[] values = new byte[chunk * valueSize()];
            int n = libbpf.lookupBatch(fd, in, out0, keys, values, chunk);
            boolean done = n < 0;
            int read = done ? -n - 1 : n;
            for (int i = 0; i < read; i++) {
                out.put(
                        new Key(Arrays.copyOfRange(keys, i * keySize(), (i + 1) * keySize())),
                        Arrays.copyOfRange(values, i * valueSize(), (i + 1) * valueSize()));
            }
            if (done || read == 0) return out;
            in = out0;
        }
    }

    /**
     * Writes all {@code entries} with one {@code BPF_MAP_UPDATE_BATCH} where the kernel has it, else one by one. Either
     * way, on failure the message says how many went in; callers that need all-or-nothing restore what they replaced.
     */
    public void updateBatch(Map<Key, byte[]> entries, UpdateFlag flag) {
        if (entries.isEmpty()) return;
        if (!batchUnsupported && supportsBatch()) {
            byte[] keys = new byte[entries.size() * keySize()];
            byte[] values = new byte[entries.size() * valueSize()];
            int i = 0;
            for (var e : entries.entrySet()) {
                checkKey(e.getKey().bytes());
                checkValue(e.getValue(), 1);
                System.arraycopy(e.getKey().bytes(), 0, keys, i * keySize(), keySize());
                System.arraycopy(e.getValue(), 0, values, i * valueSize(), valueSize());
                i++;
            }
            try {
                libbpf.updateBatch(fd, keys, values, entries.size(), flag.bits);
                return;
            } catch (BpfException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOTSUPP && e.errno() != Errno.EOPNOTSUPP)
                    throw failure("batch update", e);
                batchUnsupported = true;
            }
        }
        for (var e : entries.entrySet()) update(e.getKey().bytes(), e.getValue(), flag);
    }

    /**
     * Deletes every key present; returns how many were. One {@code BPF_MAP_DELETE_BATCH} where the kernel has it (it
     * stops at the first absent key, so the rest then go one by one).
     */
    public int deleteAll(List<Key> keys) {
        if (keys.isEmpty()) return 0;
        int deleted = 0;
        int start = 0;
        if (!batchUnsupported && supportsBatch()) {
            byte[] raw = new byte[keys.size() * keySize()];
            for (int i = 0; i < keys.size(); i++) {
                checkKey(keys.get(i).bytes());
                System.arraycopy(keys.get(i).bytes(), 0, raw, i * keySize(), keySize());
            }
            try {
                deleted = libbpf.deleteBatch(fd, raw, keys.size());
                start = deleted;
            } catch (BpfException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOTSUPP && e.errno() != Errno.EOPNOTSUPP)
                    throw failure("batch delete from", e);
                batchUnsupported = true;
            }
        }
        for (Key k : keys.subList(start, keys.size())) if (delete(k.bytes())) deleted++;
        return deleted;
    }

    /** Batch operations work on hash and array maps; sock maps and ring buffers have none. */
    private boolean supportsBatch() {
        return switch (type()) {
            case HASH, LRU_HASH, PERCPU_HASH -> true;
            default -> false; // arrays support update batch but not in the forms we use; iterate
        };
    }

    /** Pins this map at {@code path}; the directory must be on bpffs. */
    public void pin(Path path) {
        Bpf.over(libbpf).requirePinDirectory(path.getParent());
        try {
            libbpf.pin(fd, path.toString());
        } catch (BpfException e) {
            throw new BpfException("pin map " + name() + " at " + path + ": " + e.getMessage(), e.errno(), true);
        }
    }

    /** Removes the pin at {@code path} (the map lives on while anything else holds it). */
    public void unpin(Path path) {
        libbpf.unpin(path.toString());
    }

    private void checkKey(byte[] key) {
        if (key.length != keySize()) {
            throw new IllegalArgumentException(
                    "map " + name() + " takes " + keySize() + "-byte keys, got " + key.length);
        }
    }

    private void checkValue(byte[] value, int count) {
        if (value.length != valueSize() * count) {
            throw new IllegalArgumentException(
                    "map " + name() + " takes " + valueSize() + "-byte values, got " + value.length);
        }
    }

    private BpfException failure(String op, BpfException e) {
        boolean hashLike = type() == MapType.HASH || type() == MapType.PERCPU_HASH || type() == MapType.SOCKHASH;
        String hint = hashLike && (e.errno() == Errno.E2BIG || e.errno() == Errno.ENOSPC)
                ? " — map " + name() + " is full (max_entries " + definition.maxEntries() + ")"
                : "";
        return new BpfException(op + " map " + name() + ": " + e.getMessage() + hint, e.errno(), true);
    }

    @Override
    public void close() {
        if (ownsFd) libbpf.closeFd(fd);
    }

    @Override
    public String toString() {
        return "BpfMap[" + name() + " " + type() + " fd " + fd + "]";
    }

    /** A map key with value equality, for use in Java collections. */
    public record Key(byte[] bytes) {
        public Key {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return java.util.HexFormat.of().formatHex(bytes);
        }
    }
}
