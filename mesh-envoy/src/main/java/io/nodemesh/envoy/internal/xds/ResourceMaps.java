package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.ResourceVersionResolver;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A type's resources by name, made from the previous apply's map by replacing what changed. java-control-plane's
 * {@code SnapshotResources.create} builds two immutable 10,000-entry maps from scratch, resolving every name again,
 * when one load assignment changed; copying the last map and putting the changed entries costs a fraction of that, and
 * the second map (resources without versions) is a view of the first.
 */
final class ResourceMaps<T extends Message> extends SnapshotResources<T> {
    private final Map<String, VersionedResource<T>> versioned;
    private final Map<String, T> resources;
    private final String version;

    private ResourceMaps(Map<String, VersionedResource<T>> versioned, String version) {
        this.versioned = Collections.unmodifiableMap(versioned);
        this.resources = new Unwrapped<>(this.versioned);
        this.version = version;
    }

    /** The resources without their versions: a view, not a second 10,000-entry map. */
    private static final class Unwrapped<T extends Message> extends AbstractMap<String, T> {
        private final Map<String, VersionedResource<T>> versioned;

        Unwrapped(Map<String, VersionedResource<T>> versioned) {
            this.versioned = versioned;
        }

        @Override
        public T get(Object name) {
            VersionedResource<T> r = versioned.get(name);
            return r == null ? null : r.resource();
        }

        @Override
        public boolean containsKey(Object name) {
            return versioned.containsKey(name);
        }

        @Override
        public int size() {
            return versioned.size();
        }

        @Override
        public Set<Entry<String, T>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, T>> iterator() {
                    Iterator<Entry<String, VersionedResource<T>>> it =
                            versioned.entrySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<String, T> next() {
                            Entry<String, VersionedResource<T>> e = it.next();
                            return new SimpleImmutableEntry<>(
                                    e.getKey(), e.getValue().resource());
                        }
                    };
                }

                @Override
                public int size() {
                    return versioned.size();
                }
            };
        }
    }

    /**
     * {@code before}'s maps with the entries at {@code changed} positions of {@code items} put anew, at {@code version};
     * null unless every changed item keeps the name of the one it replaces (then no name came or went).
     */
    static <T extends Message> ResourceMaps<T> replacing(
            SnapshotResources<T> before,
            List<VersionedResource<?>> beforeItems,
            List<VersionedResource<?>> items,
            List<Integer> changed,
            String version) {
        if (beforeItems.size() != items.size()) return null;
        for (int i : changed) {
            if (!Resources.getResourceName(items.get(i).resource())
                    .equals(Resources.getResourceName(beforeItems.get(i).resource()))) return null;
        }
        Map<String, VersionedResource<T>> versioned =
                new LinkedHashMap<>(before.versionedResources()); // keeps the order
        for (int i : changed) {
            @SuppressWarnings("unchecked")
            VersionedResource<T> item = (VersionedResource<T>) items.get(i);
            versioned.put(Resources.getResourceName(item.resource()), item);
        }
        return new ResourceMaps<>(versioned, version);
    }

    @Override
    public Map<String, VersionedResource<T>> versionedResources() {
        return versioned;
    }

    @Override
    public Map<String, T> resources() {
        return resources;
    }

    @Override
    public ResourceVersionResolver resourceVersionResolver() {
        return names -> version;
    }
}
