package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ServerCallHandler;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * nodemesh's incremental ADS: the streams ({@link DeltaStream}), which node each serves, and what they share.
 * <p>
 * java-control-plane's delta stream keeps, per client and type, a table of every resource's version, copies it into
 * immutable maps on every acknowledgement, and builds a {@code Resource} per resource per client; a first configuration
 * of 10,000 services to 100 clients took 2.4 s, most of it there. Here a client's state is a reference to the snapshot
 * map it holds, responses come from diffs shared by all clients, and a complete answer is one list of {@code Resource}s
 * shared by every client subscribed alike. State of the world is nodemesh's own too ({@link SotwStreams}).
 */
final class DeltaStreams {
    /** What a client rejected: the node is rolled back and the NACK reported (by the xDS server). */
    interface Rejections {
        void rejected(String group, String typeUrl, String version, String detail);
    }

    private final MeshCache cache;
    private final PackedResources packed;
    private final StreamExecutors executors;
    private final Rejections rejections;
    private final ClientLedger ledger;
    private final Map<String, Set<DeltaStream>> byGroup = new ConcurrentHashMap<>();
    /** Subscriptions are interned immutable sets (or null for wildcard), kept as they are. */
    private final MapAnswers<Set<String>, List<Resource>> answers = new MapAnswers<>(16, names -> names);

    private final Map<Set<String>, Set<String>> names = new Recent<>(64);
    /** A few large responses on their way at once across streams (see {@link SendBudget}). */
    private final SendBudget budget =
            new SendBudget(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));

    DeltaStreams(
            MeshCache cache,
            PackedResources packed,
            StreamExecutors executors,
            Rejections rejections,
            ClientLedger ledger) {
        this.cache = cache;
        this.packed = packed;
        this.executors = executors;
        this.rejections = rejections;
        this.ledger = ledger;
        cache.onSnapshot(group -> byGroup.getOrDefault(group, Set.of()).forEach(DeltaStream::snapshotChanged));
    }

    /** The gRPC handler of {@code DeltaAggregatedResources}. */
    ServerCallHandler<DeltaDiscoveryRequest, DeltaDiscoveryResponse> handler() {
        return ServerCalls.asyncBidiStreamingCall(responses ->
                new DeltaStream(this, (ServerCallStreamObserver<DeltaDiscoveryResponse>) responses, executors.next()));
    }

    ClientLedger ledger() {
        return ledger;
    }

    SendBudget budget() {
        return budget;
    }

    /** Responses with this many resources or more take a permit of the budget (smaller ones are not worth waiting for). */
    int largeResponse() {
        return 64;
    }

    void joined(DeltaStream stream, String group) {
        byGroup.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(stream);
    }

    void closed(DeltaStream stream) {
        ledger.closed(stream);
        Set<DeltaStream> streams = byGroup.get(stream.group());
        if (streams != null) streams.remove(stream);
    }

    Snapshot snapshot(String group) {
        return cache.getSnapshot(group);
    }

    ResourceDiffs.Diff diff(Map<String, VersionedResource<?>> before, Map<String, VersionedResource<?>> now) {
        return cache.diff(before, now);
    }

    void nacked(String group, String typeUrl, String version, String detail) {
        rejections.rejected(group, typeUrl, version, detail);
    }

    Resource resource(String name, VersionedResource<?> r) {
        return Resource.newBuilder()
                .setName(name)
                .setVersion(r.version())
                .setResource(packed.serialize(r.resource(), ApiVersion.V3))
                .build();
    }

    /** Every resource of {@code resources} that {@code subscribed} names (all when null), shared by every asker alike. */
    List<Resource> everything(Map<String, VersionedResource<?>> resources, Set<String> subscribed) {
        return answers.get(resources, subscribed, () -> {
            List<Resource> out = new ArrayList<>();
            if (subscribed == null) {
                resources.forEach((name, r) -> out.add(resource(name, r)));
            } else {
                for (String name : subscribed) {
                    VersionedResource<?> r = resources.get(name);
                    if (r != null) out.add(resource(name, r));
                }
            }
            return Collections.unmodifiableList(out);
        });
    }

    /** One set object per distinct subscription, so clients subscribed alike share it (and its answer). */
    Set<String> interned(Set<String> subscribed) {
        synchronized (names) {
            return names.computeIfAbsent(Set.copyOf(subscribed), s -> s);
        }
    }
}
