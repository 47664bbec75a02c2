package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The nodes' snapshots, with a notice to nodemesh's own streams ({@link SotwStreams}, {@link DeltaStreams}) each time
 * one is set, and the diffs between resource maps they share. java-control-plane's watches only serve the per-type delta
 * services.
 */
final class MeshCache extends SimpleCache<String> {
    /** Nodes share resource maps, so one apply's diff of a type serves every node's streams. */
    private final ResourceDiffs diffs = new ResourceDiffs();

    private final List<Consumer<String>> snapshotListeners = new CopyOnWriteArrayList<>();

    MeshCache(NodeGroup<String> groups) {
        super(groups);
    }

    @Override
    public synchronized void setSnapshot(String group, Snapshot snapshot) {
        super.setSnapshot(group, snapshot);
        for (Consumer<String> l : snapshotListeners) l.accept(group);
    }

    /** Calls {@code listener} with the group after each snapshot set for it (on the setting thread; do not block). */
    void onSnapshot(Consumer<String> listener) {
        snapshotListeners.add(listener);
    }

    /**
     * Tells the cache what differs between two resource maps of a type, found while the later one was made: {@code now}
     * holds {@code before}'s names, with {@code changed} replacing some of its resources.
     */
    void knownDiff(
            Map<String, ? extends VersionedResource<?>> before,
            Map<String, ? extends VersionedResource<?>> now,
            List<? extends Message> changed) {
        diffs.known(before, now, changed);
    }

    ResourceDiffs.Diff diff(Map<String, VersionedResource<?>> before, Map<String, VersionedResource<?>> now) {
        return diffs.between(before, now);
    }
}
