package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.nodemesh.envoy.internal.translate.MeshResources;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The snapshot each node is served, with a short history so a NACKed one can be rolled back to the last version the
 * node accepted.
 * <p>
 * Versions are per resource type: a type keeps its version while its content is unchanged, and takes the apply's
 * generation when it changes, so one changed route re-sends routes only.
 * <p>
 * Clients are grouped by node: an xDS node id {@code <node>} or {@code <node>~<anything>} is served {@code <node>}'s
 * snapshot, so the node's Envoy and proxyless gRPC processes on it see the same configuration.
 */
public final class NodeSnapshots {
    private static final int HISTORY = 8;

    private final MeshCache cache = new MeshCache(node -> group(node.getId()));
    private final PackedResources packed = new PackedResources();
    private final Map<String, Deque<Snapshot>> history = new HashMap<>();
    private final Map<String, Map<String, TypeVersion>> versions = new HashMap<>();

    public static String group(String nodeId) {
        int tilde = nodeId.indexOf('~');
        return tilde < 0 ? nodeId : nodeId.substring(0, tilde);
    }

    /** The cache the xDS server serves from: snapshots, their change notices and shared diffs. */
    MeshCache cache() {
        return cache;
    }

    /** The serializer the xDS server packs responses with: fed by {@link #pack(Batch)} before an apply is served. */
    public PackedResources packed() {
        return packed;
    }

    /** Packs every resource the batch's snapshots hold (new message objects only); call before serving any of them. */
    public synchronized void pack(Batch batch) {
        lastPrepared = batch.prepared;
        lastByType = batch.byType;
        packed.pack(batch.fresh, () -> {
            List<Message> all = new java.util.ArrayList<>();
            for (Prepared p : batch.prepared.values()) for (VersionedResource<?> v : p.items()) all.add(v.resource());
            return all;
        });
    }

    /** The resource lists the last apply prepared, by content: an unchanged list reuses its {@link SnapshotResources}. */
    private Map<PreparedKey, Prepared> lastPrepared = Map.of();
    /** Per type URL, one list the last apply prepared: a changed list reuses the per-resource versions of its unchanged objects. */
    private Map<String, Prepared> lastByType = Map.of();

    record PreparedKey(String typeUrl, long hash, String version, int size) {}

    record Prepared(List<?> list, List<VersionedResource<?>> items, SnapshotResources<?> resources) {}

    /**
     * What one apply prepares once and shares between nodes: per resource list (by identity), its content hash and its
     * {@link SnapshotResources} at a given version.
     */
    public static final class Batch {
        final Map<List<?>, Long> hashes = new java.util.IdentityHashMap<>();
        final Map<List<?>, Map<String, SnapshotResources<?>>> resources = new java.util.IdentityHashMap<>();
        final Map<PreparedKey, Prepared> prepared = new HashMap<>();
        final Map<String, Prepared> byType = new HashMap<>();
        /** Messages this apply versioned anew (not reused from the last one): the only ones that may need packing. */
        final List<Message> fresh = new java.util.ArrayList<>();
    }

    /** Builds the snapshot of {@code node} at {@code generation} without serving it yet. */
    public synchronized Snapshot prepare(String node, MeshResources r, long generation, Batch batch) {
        Map<String, TypeVersion> previous = versions.getOrDefault(node, Map.of());
        return new MeshSnapshot(
                resources(
                        batch,
                        Resources.V3.CLUSTER_TYPE_URL,
                        r.clusters(),
                        version(previous, Resources.V3.CLUSTER_TYPE_URL, r.clusters(), generation, batch.hashes)),
                resources(
                        batch,
                        Resources.V3.ENDPOINT_TYPE_URL,
                        r.endpoints(),
                        version(previous, Resources.V3.ENDPOINT_TYPE_URL, r.endpoints(), generation, batch.hashes)),
                resources(
                        batch,
                        Resources.V3.LISTENER_TYPE_URL,
                        r.listeners(),
                        version(previous, Resources.V3.LISTENER_TYPE_URL, r.listeners(), generation, batch.hashes)),
                resources(
                        batch,
                        Resources.V3.ROUTE_TYPE_URL,
                        r.routes(),
                        version(previous, Resources.V3.ROUTE_TYPE_URL, r.routes(), generation, batch.hashes)),
                resources(
                        batch,
                        Resources.V3.SECRET_TYPE_URL,
                        r.secrets(),
                        version(previous, Resources.V3.SECRET_TYPE_URL, r.secrets(), generation, batch.hashes)));
    }

    /**
     * The {@link SnapshotResources} of {@code list} at {@code version}: the last apply's object if it prepared the very
     * same message objects at the same version (nothing to rebuild for an unchanged type), else built anew, reusing the
     * per-resource versions of objects the last apply's list of the type held at the same position.
     */
    @SuppressWarnings("unchecked")
    private <T extends Message> SnapshotResources<T> resources(
            Batch batch, String typeUrl, List<T> list, String version) {
        return (SnapshotResources<T>) batch.resources
                .computeIfAbsent(list, l -> new java.util.HashMap<>())
                .computeIfAbsent(version, v -> {
                    PreparedKey key = new PreparedKey(typeUrl, batch.hashes.get(list), v, list.size());
                    Prepared last = lastPrepared.get(key);
                    if (last == null || !sameObjects(last.list(), list)) {
                        Prepared before = lastByType.get(typeUrl);
                        List<VersionedResource<?>> items = new java.util.ArrayList<>(list.size());
                        List<Integer> changed = new java.util.ArrayList<>();
                        for (int i = 0; i < list.size(); i++) {
                            T m = list.get(i);
                            if (before != null
                                    && i < before.list().size()
                                    && before.list().get(i) == m) {
                                items.add(before.items().get(i));
                            } else {
                                // Per-resource version for delta xDS: the message's memoized hash and size, no
                                // re-serialization.
                                items.add(VersionedResource.create(
                                        m, Integer.toHexString(m.hashCode()) + "-" + m.getSerializedSize()));
                                batch.fresh.add(m);
                                changed.add(i);
                            }
                        }
                        SnapshotResources<T> maps = before == null || changed.size() > items.size() / 8
                                ? null
                                : ResourceMaps.replacing(
                                        (SnapshotResources<T>) before.resources(), before.items(), items, changed, v);
                        if (maps != null) {
                            // The cache diffs a type's maps for every client it answers with changes: it need not look
                            // for them.
                            cache.knownDiff(
                                    before.resources().versionedResources(),
                                    maps.versionedResources(),
                                    changed.stream()
                                            .map(i -> items.get(i).resource())
                                            .toList());
                        } else {
                            maps = SnapshotResources.create((List<VersionedResource<T>>) (List<?>) items, names -> v);
                        }
                        last = new Prepared(list, items, maps);
                    }
                    batch.prepared.put(key, last);
                    batch.byType.put(typeUrl, last);
                    return last.resources();
                });
    }

    private static boolean sameObjects(List<?> a, List<?> b) {
        if (a == b) return true;
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }

    /** Serves {@code snapshot} to {@code node}'s clients. */
    public synchronized void serve(String node, Snapshot snapshot, Batch batch, MeshResources r) {
        Map<List<?>, Long> hashes = batch.hashes;
        Map<String, TypeVersion> v = new HashMap<>();
        v.put(
                Resources.V3.CLUSTER_TYPE_URL,
                new TypeVersion(hashes.get(r.clusters()), snapshot.clusters().version()));
        v.put(
                Resources.V3.ENDPOINT_TYPE_URL,
                new TypeVersion(hashes.get(r.endpoints()), snapshot.endpoints().version()));
        v.put(
                Resources.V3.LISTENER_TYPE_URL,
                new TypeVersion(hashes.get(r.listeners()), snapshot.listeners().version()));
        v.put(
                Resources.V3.ROUTE_TYPE_URL,
                new TypeVersion(hashes.get(r.routes()), snapshot.routes().version()));
        v.put(
                Resources.V3.SECRET_TYPE_URL,
                new TypeVersion(hashes.get(r.secrets()), snapshot.secrets().version()));
        versions.put(node, v);
        Deque<Snapshot> h = history.computeIfAbsent(node, n -> new ArrayDeque<>());
        h.addFirst(snapshot);
        while (h.size() > HISTORY) h.removeLast();
        cache.setSnapshot(node, snapshot);
    }

    /** Stops serving a node that left the mesh. */
    public synchronized void remove(String node) {
        history.remove(node);
        versions.remove(node);
        cache.clearSnapshot(node);
    }

    public synchronized Optional<Snapshot> current(String node) {
        return Optional.ofNullable(cache.getSnapshot(node));
    }

    public synchronized java.util.Set<String> nodes() {
        return java.util.Set.copyOf(history.keySet());
    }

    /**
     * Rolls {@code node} back after a NACK of {@code typeUrl}: to the newest snapshot in which that type had
     * {@code acceptedVersion} (what the client still runs), or, with no accepted version, to the newest one whose version
     * of the type differs from {@code rejectedVersion}. Returns the version of the type now served.
     * <p>
     * Without this the cache would answer the NACK (whose version differs from the snapshot's) with the same rejected
     * configuration at once, and again, in a loop.
     */
    public synchronized String rollback(String node, String typeUrl, String acceptedVersion, String rejectedVersion) {
        Deque<Snapshot> h = history.get(node);
        if (h == null) return "";
        Snapshot target = null;
        for (Snapshot s : h) {
            String v = s.version(typeUrl);
            if (acceptedVersion.isEmpty() ? !v.equals(rejectedVersion) : v.equals(acceptedVersion)) {
                target = s;
                break;
            }
        }
        if (target == null) {
            // Nothing the client ever accepted is left: serve nothing, under the version it already has ("").
            target = Snapshot.create(List.of(), "", List.of(), "", List.of(), "", List.of(), "", List.of(), "");
        }
        while (!h.isEmpty() && h.peekFirst() != target) h.removeFirst();
        if (h.isEmpty()) h.addFirst(target);
        cache.setSnapshot(node, target);
        // The next apply must not think the rejected content is what the node runs.
        versions.remove(node);
        return target.version(typeUrl);
    }

    private static String version(
            Map<String, TypeVersion> previous,
            String typeUrl,
            List<? extends Message> resources,
            long generation,
            Map<List<?>, Long> hashes) {
        long hash = hashes.computeIfAbsent(resources, NodeSnapshots::hash);
        TypeVersion before = previous.get(typeUrl);
        return before != null && before.hash == hash ? before.version : Long.toString(generation);
    }

    /** A 64-bit content hash (protobuf messages memoize their own hash codes, so this is cheap on the second call). */
    static long hash(List<?> resources) {
        long h = resources.size();
        for (Object m : resources) h = h * 1_000_003L + m.hashCode();
        return h;
    }

    private record TypeVersion(Long hash, String version) {}
}
