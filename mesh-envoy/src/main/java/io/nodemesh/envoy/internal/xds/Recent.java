package io.nodemesh.envoy.internal.xds;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} entries used, the eldest dropped first: what the push path's sharing caches keep (name
 * blocks, asked-name sets, complete answers). Not thread-safe; callers synchronize on it.
 */
final class Recent<K, V> extends LinkedHashMap<K, V> {
    private final int capacity;

    Recent(int capacity) {
        super(capacity * 2, 0.75f, true);
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
