package io.nodemesh.api.lb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016,
 * section 3.4): a lookup table of prime size {@code M} in which every backend owns {@code ⌊M/N⌋} or {@code ⌈M/N⌉}
 * entries, and removing one of {@code N} backends moves little more than the {@code 1/N} of keys that it owned.
 * <p>
 * Pure and deterministic, so the simulator and the eBPF backend (which copies the table into a kernel array map) build
 * bit-identical tables from the same backend names, and a key lands on the same backend in both.
 *
 * <h2>Hashes (stable: changing them moves every connection)</h2>
 * <ul>
 *   <li>{@code fnv1a64(bytes, basis)}: 64-bit FNV-1a (prime {@code 0x100000001b3}) over the name's UTF-8 bytes,
 *       starting from {@code basis}.</li>
 *   <li>{@code fmix64}: MurmurHash3's 64-bit finalizer, so names that differ in one byte get unrelated hashes.</li>
 *   <li>{@code offset = fmix64(fnv1a64(name, 0xcbf29ce484222325)) mod M} (the standard FNV offset basis),
 *       {@code skip = fmix64(fnv1a64(name, 0xcbf29ce484222325 ^ 0x9e3779b97f4a7c15)) mod (M - 1) + 1};
 *       both reductions unsigned. The permutation of backend {@code i} is {@code (offset + j * skip) mod M}.</li>
 *   <li>Lookup key: {@link SocketLbKey#hash} {@code mod M} — what a connection is hashed by (the client, the VIP and
 *       the port, not the connection) is defined there, once for the kernel and the simulator.</li>
 * </ul>
 * Both backends build their tables with {@link #canonicalTable}, whose entries do not depend on the order the backends
 * are listed in (the kernel's slot order depends on history), so both give a key the same backend.
 */
public final class Maglev {
    /** A prime ≥ 100 × the backends of any service we expect; the paper's rule of thumb for even spread. */
    public static final int DEFAULT_TABLE_SIZE = 16_381;

    /** The entry of a table built from no backends. */
    public static final int NO_BACKEND = -1;

    static final long FNV64_BASIS = 0xcbf29ce484222325L;
    static final long FNV64_PRIME = 0x100000001b3L;
    static final long SKIP_SALT = 0x9e3779b97f4a7c15L;
    static final int FNV32_BASIS = 0x811c9dc5;
    static final int FNV32_PRIME = 0x01000193;

    private Maglev() {}

    /** {@link #table(List, int)} with {@link #DEFAULT_TABLE_SIZE}. */
    public static int[] table(List<String> backends) {
        return table(backends, DEFAULT_TABLE_SIZE);
    }

    /**
     * Builds the lookup table: entry {@code k} is the index in {@code backends} of the backend that owns slot {@code k}.
     * An empty list gives a table of {@link #NO_BACKEND}. The order of {@code backends} only decides index numbers and
     * which backend wins a tie; which names own which slots depends on the set of names alone up to that tie-breaking.
     *
     * @param backends  distinct backend names (e.g. endpoint addresses)
     * @param tableSize a prime greater than or equal to the number of backends
     * @throws IllegalArgumentException if a name repeats or is null, or the size is not a prime ≥ the backend count
     */
    public static int[] table(List<String> backends, int tableSize) {
        Objects.requireNonNull(backends, "backends");
        if (!isPrime(tableSize))
            throw new IllegalArgumentException("Maglev table size " + tableSize + " is not a prime");
        if (backends.size() > tableSize) {
            throw new IllegalArgumentException(
                    "Maglev table size " + tableSize + " is smaller than the " + backends.size() + " backends");
        }
        var seen = new HashSet<String>();
        for (String b : backends) {
            if (b == null) throw new IllegalArgumentException("Maglev backend names must not be null");
            if (!seen.add(b)) throw new IllegalArgumentException("Maglev backend name '" + b + "' appears twice");
        }
        int[] entry = new int[tableSize];
        Arrays.fill(entry, NO_BACKEND);
        int n = backends.size();
        if (n == 0) return entry;

        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        for (int i = 0; i < n; i++) {
            offset[i] = offset(backends.get(i), tableSize);
            skip[i] = skip(backends.get(i), tableSize);
        }
        // The paper's population loop: backends take turns claiming their next preferred free slot, so after every
        // round each has claimed exactly one more, which is what keeps the shares within one entry of each other.
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c = (int) ((offset[i] + next[i] * skip[i]) % tableSize);
                while (entry[c] >= 0) {
                    next[i]++;
                    c = (int) ((offset[i] + next[i] * skip[i]) % tableSize);
                }
                entry[c] = i;
                next[i]++;
                if (++filled == tableSize) return entry;
            }
        }
    }

    /**
     * {@link #table(List, int)} built over the names in sorted order, with entries that are indexes into {@code backends}
     * as given: the owner of every entry depends on the set of names alone, never on the order (ties included). The
     * eBPF planner lists backends in slot order and the simulator in state order; both get the same owners.
     */
    public static int[] canonicalTable(List<String> backends, int tableSize) {
        Objects.requireNonNull(backends, "backends");
        List<String> sorted = backends.stream().sorted().toList();
        int[] entries = table(sorted, tableSize); // rejects repeated names, so indexOf below is unambiguous
        int[] givenIndex = new int[sorted.size()];
        for (int i = 0; i < givenIndex.length; i++) givenIndex[i] = backends.indexOf(sorted.get(i));
        for (int k = 0; k < entries.length; k++) if (entries[k] != NO_BACKEND) entries[k] = givenIndex[entries[k]];
        return entries;
    }

    /** The entry of a table of {@code tableSize} that a {@link SocketLbKey#hash} falls into (unsigned remainder). */
    public static int index(int hash, int tableSize) {
        if (tableSize <= 0) throw new IllegalArgumentException("table size must be positive, got " + tableSize);
        return (int) (Integer.toUnsignedLong(hash) % tableSize);
    }

    /** Where backend {@code name}'s permutation starts, in {@code 0..tableSize-1}. */
    public static long offset(String name, int tableSize) {
        return Long.remainderUnsigned(fmix64(fnv1a64(name, FNV64_BASIS)), tableSize);
    }

    /** The stride of backend {@code name}'s permutation, in {@code 1..tableSize-1} (co-prime with a prime size). */
    public static long skip(String name, int tableSize) {
        return Long.remainderUnsigned(fmix64(fnv1a64(name, FNV64_BASIS ^ SKIP_SALT)), tableSize - 1L) + 1;
    }

    /** 64-bit FNV-1a of {@code name}'s UTF-8 bytes from {@code basis}. */
    public static long fnv1a64(String name, long basis) {
        long h = basis;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * FNV64_PRIME;
        return h;
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** Trial division; table sizes are small enough that this is instant. */
    public static boolean isPrime(int n) {
        if (n < 2) return false;
        if (n % 2 == 0) return n == 2;
        for (int d = 3; (long) d * d <= n; d += 2) {
            if (n % d == 0) return false;
        }
        return true;
    }
}
