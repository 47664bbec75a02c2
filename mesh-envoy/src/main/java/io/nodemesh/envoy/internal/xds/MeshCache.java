package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.CacheStatusInfo;
import io.envoyproxy.controlplane.cache.DeltaCacheStatusInfo;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * java-control-plane's cache, minus the costs of pushing state of the world to many clients:
 * <ul>
 * <li>an EDS or RDS watch is answered with every resource the client asked for — all 10,000 load assignments for one
 * moved endpoint. When the client runs the previous snapshot's version of the type and holds every name it asks for
 * ({@link SotwCoverage}), it is sent only the resources whose content changed, which the protocol allows for these
 * types (not for listeners and clusters, which stay complete);</li>
 * <li>every client's complete answer was looked up name by name, per client: clients asking for the same names of the
 * same map now share one answer ({@link CompleteAnswers}).</li>
 * </ul>
 * Delta over ADS does not come here ({@link DeltaStreams}); the per-type delta services keep the stock behaviour.
 * Streams are known to the cache through {@link #streamRequest}, called by the server's request callback on the thread
 * that then creates the watch.
 */
final class MeshCache extends SimpleCache<String> {
    private final Map<Long, SotwCoverage> streams = new ConcurrentHashMap<>();
    private final SotwCoverage.Interner askedNames = new SotwCoverage.Interner();
    private final ThreadLocal<SotwCoverage> requesting = new ThreadLocal<>();
    /** Watches of streams whose client holds every name it asked for at the version it sent: those names. */
    private final Map<Watch, Set<String>> covered = Collections.synchronizedMap(new WeakHashMap<>());
    /** Nodes share resource maps, so one apply's diff of a type serves every node's watches. */
    private final ResourceDiffs diffs = new ResourceDiffs();

    private final CompleteAnswers answers = new CompleteAnswers();

    private final NodeGroup<String> groups;
    /** Per node group the last snapshot change, so a client one version behind can be answered with the changes. */
    private final Map<String, Transition> transitions = new ConcurrentHashMap<>();

    MeshCache(NodeGroup<String> groups) {
        super(groups);
        this.groups = groups;
    }

    @Override
    public synchronized void setSnapshot(String group, Snapshot snapshot) {
        transitions.put(group, new Transition(getSnapshot(group), snapshot));
        super.setSnapshot(group, snapshot);
        for (Consumer<String> l : snapshotListeners) l.accept(group);
    }

    private final List<Consumer<String>> snapshotListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Calls {@code listener} with the group after each snapshot set for it (on the setting thread; do not block). */
    void onSnapshot(Consumer<String> listener) {
        snapshotListeners.add(listener);
    }

    @Override
    public boolean clearSnapshot(String group) {
        transitions.remove(group);
        return super.clearSnapshot(group);
    }

    /** A state-of-the-world request of stream {@code streamId} arrived; the watch it leads to is created next on this thread. */
    void streamRequest(long streamId) {
        requesting.set(streams.computeIfAbsent(streamId, id -> new SotwCoverage(askedNames)));
    }

    void streamClosed(long streamId) {
        streams.remove(streamId);
    }

    @Override
    public Watch createWatch(
            boolean ads,
            XdsRequest request,
            Set<String> knownResourceNames,
            Consumer<Response> responseConsumer,
            boolean hasClusterChanged,
            boolean allowDefaultEmptyEdsUpdate) {
        SotwCoverage coverage = requesting.get();
        requesting.remove();
        if (coverage == null
                || !partialAllowed(request.getResourceType())
                || request.getResourceNamesList().isEmpty()) {
            return super.createWatch(
                    ads, request, knownResourceNames, responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
        }
        String type = request.getTypeUrl();
        Set<String> held = coverage.asked(type, request.getResourceNamesList());
        // What the client holds, rather than the names of the last response only (which after a partial response is
        // just the changed ones, and would make the cache re-send everything at once).
        Consumer<Response> recording = r -> {
            coverage.sent(type, r.resources());
            responseConsumer.accept(r);
        };
        boolean holdsAll = held.size() == request.getResourceNamesList().size();
        if (holdsAll) {
            // Its ACK arrived after the next snapshot was set (common when changes come quickly): it runs the version
            // before the current one, so the changes between the two are all it lacks.
            Transition t = transitions.get(groups.hash(request.v3Request().getNode()));
            if (t != null
                    && t.previous != null
                    && getSnapshot(groups.hash(request.v3Request().getNode())) == t.current) {
                List<Message> changes = changes(request, held, t.previous, t.current);
                if (changes != null) {
                    Watch answered = new Watch(ads, allowDefaultEmptyEdsUpdate, request, recording);
                    try {
                        answered.respond(
                                Response.create(request, changes, t.current.version(request.getResourceType())));
                    } catch (WatchCancelledException e) {
                        // cannot happen to a watch nobody else holds yet; nothing to send either way
                    }
                    return answered;
                }
            }
        }
        Watch watch = super.createWatch(ads, request, held, recording, hasClusterChanged, allowDefaultEmptyEdsUpdate);
        if (holdsAll) covered.put(watch, held);
        return watch;
    }

    private static boolean partialAllowed(ResourceType type) {
        return type == ResourceType.ENDPOINT || type == ResourceType.ROUTE;
    }

    @Override
    protected void respondWithSpecificOrder(
            String group,
            Snapshot previous,
            Snapshot snapshot,
            Map<ResourceType, CacheStatusInfo<String>> status,
            Map<ResourceType, DeltaCacheStatusInfo<String>> deltaStatus) {
        // State of the world, in type order: just the changes where a client may be sent only those, else the complete
        // answer shared with every other client asking the same. What is left (a client asking for names the snapshot
        // lacks) goes to the stock code.
        for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
            CacheStatusInfo<String> s = status.get(type);
            if (s == null) continue;
            s.watchesRemoveIf((id, watch) -> watch.request().getResourceType() == type
                    && (previous != null && respondWithChanges(watch, type, previous, snapshot)
                            || respondComplete(watch, type, snapshot)));
        }
        // Delta over ADS is nodemesh's own (DeltaStreams); only the per-type delta services use these watches.
        super.respondWithSpecificOrder(group, previous, snapshot, status, deltaStatus);
    }

    /** Answers {@code watch} with everything it asks for, if its version is not the snapshot's; true if it did. */
    private boolean respondComplete(Watch watch, ResourceType type, Snapshot snapshot) {
        String version = snapshot.version(type);
        if (watch.request().getVersionInfo().equals(version)) return false;
        CompleteAnswers.Answer answer = answers.answer(
                snapshot.versionedResources(type), watch.request().getResourceNamesList());
        // Over ADS a response waits until every asked-for name exists (as the stock cache does); left to it.
        if (answer.missing && watch.ads()) return false;
        try {
            watch.respond(Response.create(watch.request(), answer, version));
        } catch (WatchCancelledException e) {
            // the stream went away meanwhile: nothing to send, and the watch is done either way
        }
        return true;
    }

    /**
     * Answers {@code watch} with only what changed between {@code previous} and {@code snapshot}, if it may be; true if
     * it did (the watch is then done). Otherwise the watch is left to the stock full response.
     */
    private boolean respondWithChanges(Watch watch, ResourceType type, Snapshot previous, Snapshot snapshot) {
        XdsRequest request = watch.request();
        Set<String> held = request.getResourceType() == type ? covered.get(watch) : null;
        if (held == null) return false;
        List<Message> changes = changes(request, held, previous, snapshot);
        if (changes == null) return false;
        try {
            watch.respond(Response.create(request, changes, snapshot.version(type)));
        } catch (WatchCancelledException e) {
            // the stream went away meanwhile: nothing to send, and the watch is done either way
        }
        covered.remove(watch);
        return true;
    }

    /**
     * The resources of {@code held} that changed from {@code previous} to {@code snapshot}, if the requesting client
     * runs {@code previous}'s version of the type and a subset may say everything; null if it needs the complete answer.
     */
    private List<Message> changes(XdsRequest request, Set<String> held, Snapshot previous, Snapshot snapshot) {
        ResourceType type = request.getResourceType();
        String version = snapshot.version(type);
        String was = previous.version(type);
        if (version.equals(was) || !request.getVersionInfo().equals(was)) return null;
        ResourceDiffs.Diff diff = diff(previous.versionedResources(type), snapshot.versionedResources(type));
        for (String gone : diff.removed()) {
            if (held.contains(gone)) return null; // only a complete answer (the stock one) says a resource is gone
        }
        List<Message> changes = new ArrayList<>();
        for (var e : diff.changed().entrySet()) {
            if (held.contains(e.getKey())) changes.add(e.getValue());
        }
        return changes;
    }

    private record Transition(Snapshot previous, Snapshot current) {}

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
