package io.nodemesh.envoy.internal.xds;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Values worked out from a type's resource map and a set or list of names, kept for the last few: what clients asking
 * alike share. The map counts by identity (nodes share it, an apply that changes the type replaces it), the names by
 * content. Thread-safe.
 */
final class MapAnswers<N, V> {
    private final Map<Key, V> recent;
    /** Makes the names a key may keep: a caller's collection could change after the call. */
    private final UnaryOperator<N> keep;

    MapAnswers(int capacity, UnaryOperator<N> keep) {
        this.recent = new Recent<>(capacity);
        this.keep = keep;
    }

    /** The value for {@code resources} and {@code names}, from {@code compute} the first time. */
    V get(Map<?, ?> resources, N names, Supplier<V> compute) {
        synchronized (recent) {
            V known = recent.get(new Key(resources, names));
            if (known != null) return known;
        }
        V value = compute.get();
        synchronized (recent) {
            recent.put(new Key(resources, keep.apply(names)), value);
        }
        return value;
    }

    private record Key(Map<?, ?> resources, Object names) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.resources == resources && Objects.equals(k.names, names);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(resources) * 31 + Objects.hashCode(names);
        }
    }
}
