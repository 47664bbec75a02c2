package io.nodemesh.ebpf.internal.plan;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, insertion-ordered map whose next version, with a few values replaced, shares almost everything with
 * this one: keys hash into {@value #CHUNKS} chunks and {@link #replacing} copies only the chunk array and the chunks it
 * touches. That is what lets one endpoint change produce a new plan (10,000 service segments, 20,000 slot lists) in
 * microseconds instead of copying every entry.
 */
final class ChunkedMap<K, V> extends AbstractMap<K, V> {
    private static final int CHUNK_BITS = 8;
    private static final int CHUNKS = 1 << CHUNK_BITS;

    /** Iteration order; shared by versions that only replace values. */
    private final List<K> order;

    private final List<Map<K, V>> chunks;

    private ChunkedMap(List<K> order, List<Map<K, V>> chunks) {
        this.order = order;
        this.chunks = chunks;
    }

    /** A copy of {@code map}, in its iteration order (already a ChunkedMap: itself). */
    static <K, V> ChunkedMap<K, V> copyOf(Map<K, V> map) {
        if (map instanceof ChunkedMap<K, V> c) return c;
        List<Map<K, V>> chunks = new ArrayList<>(CHUNKS);
        for (int i = 0; i < CHUNKS; i++) chunks.add(new HashMap<>());
        List<K> order = new ArrayList<>(map.size());
        map.forEach((k, v) -> {
            Objects.requireNonNull(k, "key");
            Objects.requireNonNull(v, "value");
            order.add(k);
            chunks.get(chunk(k)).put(k, v);
        });
        return new ChunkedMap<>(Collections.unmodifiableList(order), Collections.unmodifiableList(chunks));
    }

    /** This map with {@code changes} applied: existing keys keep their place, new ones are appended. */
    ChunkedMap<K, V> replacing(Map<K, V> changes) {
        if (changes.isEmpty()) return this;
        List<Map<K, V>> next = new ArrayList<>(chunks);
        boolean[] copied = new boolean[CHUNKS];
        List<K> added = new ArrayList<>();
        changes.forEach((k, v) -> {
            Objects.requireNonNull(v, "value");
            int c = chunk(k);
            if (!copied[c]) {
                next.set(c, new HashMap<>(next.get(c)));
                copied[c] = true;
            }
            if (next.get(c).put(k, v) == null) added.add(k);
        });
        List<K> order = this.order;
        if (!added.isEmpty()) {
            List<K> grown = new ArrayList<>(order.size() + added.size());
            grown.addAll(order);
            grown.addAll(added);
            order = Collections.unmodifiableList(grown);
        }
        return new ChunkedMap<>(order, Collections.unmodifiableList(next));
    }

    /**
     * The top bits of a Fibonacci hash: a chunk's own HashMap indexes by the low bits of the key's hash, so choosing
     * chunks by those too would put every key of a chunk into one bucket.
     */
    private static int chunk(Object key) {
        return (key.hashCode() * 0x9E3779B9) >>> (32 - CHUNK_BITS);
    }

    @Override
    public V get(Object key) {
        return key == null ? null : chunks.get(chunk(key)).get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return key != null && chunks.get(chunk(key)).containsKey(key);
    }

    @Override
    public int size() {
        return order.size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                Iterator<K> keys = order.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return keys.hasNext();
                    }

                    @Override
                    public Entry<K, V> next() {
                        K k = keys.next();
                        return new SimpleImmutableEntry<>(k, get(k));
                    }
                };
            }

            @Override
            public int size() {
                return order.size();
            }
        };
    }
}
