package io.nodemesh.ebpf.bpf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A typed view of a HASH or LRU_HASH map. */
public final class HashMapView<K, V> {
    private final BpfMap map;
    private final Codec<K> keys;
    private final Codec<V> values;

    private HashMapView(BpfMap map, Codec<K> keys, Codec<V> values) {
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    public static <K, V> HashMapView<K, V> hash(BpfMap map, Codec<K> keys, Codec<V> values) {
        MapViews.require(map, "hash map", keys, values, MapType.HASH);
        return new HashMapView<>(map, keys, values);
    }

    /** An LRU hash: updates never fail for being full, the least recently used entry is evicted instead. */
    public static <K, V> HashMapView<K, V> lruHash(BpfMap map, Codec<K> keys, Codec<V> values) {
        MapViews.require(map, "LRU hash map", keys, values, MapType.LRU_HASH);
        return new HashMapView<>(map, keys, values);
    }

    public BpfMap map() {
        return map;
    }

    public Optional<V> get(K key) {
        return map.lookup(keys.encode(key)).map(values::decode);
    }

    public void put(K key, V value) {
        map.put(keys.encode(key), values.encode(value));
    }

    public void put(K key, V value, UpdateFlag flag) {
        map.update(keys.encode(key), values.encode(value), flag);
    }

    public boolean remove(K key) {
        return map.delete(keys.encode(key));
    }

    /** Writes all entries, batched where the kernel can. */
    public void putAll(Map<K, V> entries) {
        Map<BpfMap.Key, byte[]> raw = new LinkedHashMap<>();
        entries.forEach((k, v) -> raw.put(new BpfMap.Key(keys.encode(k)), values.encode(v)));
        map.updateBatch(raw, UpdateFlag.ANY);
    }

    public List<K> keys() {
        return map.keys().stream().map(keys::decode).toList();
    }

    public Map<K, V> entries() {
        Map<K, V> out = new LinkedHashMap<>();
        map.entries().forEach((k, v) -> out.put(keys.decode(k.bytes()), values.decode(v)));
        return out;
    }
}
