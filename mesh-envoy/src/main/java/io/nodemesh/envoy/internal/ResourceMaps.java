package io.nodemesh.envoy.internal;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.ResourceVersionResolver;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A type's resources by name, made from the previous apply's maps by replacing what changed. java-control-plane's
 * {@code SnapshotResources.create} builds two immutable 10,000-entry maps from scratch, resolving every name again,
 * when one load assignment changed; copying the last maps and putting the changed entries costs a fraction of that.
 */
final class ResourceMaps<T extends Message> extends SnapshotResources<T> {
    private final Map<String, VersionedResource<T>> versioned;
    private final Map<String, T> resources;
    private final String version;

    private ResourceMaps(Map<String, VersionedResource<T>> versioned, Map<String, T> resources, String version) {
        this.versioned = Collections.unmodifiableMap(versioned);
        this.resources = Collections.unmodifiableMap(resources);
        this.version = version;
    }

    /**
     * {@code before}'s maps with the entries at {@code changed} positions of {@code items} put anew, at {@code version};
     * null unless every changed item keeps the name of the one it replaces (then no name came or went).
     */
    static <T extends Message> ResourceMaps<T> replacing(SnapshotResources<T> before, List<VersionedResource<?>> beforeItems,
                                                         List<VersionedResource<?>> items, List<Integer> changed, String version) {
        if (beforeItems.size() != items.size()) return null;
        for (int i : changed) {
            if (!Resources.getResourceName(items.get(i).resource()).equals(Resources.getResourceName(beforeItems.get(i).resource()))) return null;
        }
        Map<String, VersionedResource<T>> versioned = new LinkedHashMap<>(before.versionedResources());
        Map<String, T> resources = new LinkedHashMap<>(before.resources());
        for (int i : changed) {
            @SuppressWarnings("unchecked")
            VersionedResource<T> item = (VersionedResource<T>) items.get(i);
            String name = Resources.getResourceName(item.resource());
            versioned.put(name, item);
            resources.put(name, item.resource());
        }
        return new ResourceMaps<>(versioned, resources, version);
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
