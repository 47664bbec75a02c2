package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One incremental (delta) ADS stream. What the client holds of a type is kept as the snapshot map it last acknowledged
 * plus its subscription, not as a per-name version table: the next response is the shared diff between that map and
 * the current one ({@link ResourceDiffs}), restricted to the subscription — one apply's diff serves every client — and a
 * client that holds nothing yet gets a list of resources shared with every client subscribed alike
 * ({@link DeltaStreams#everything}), which the response marshaller then encodes once.
 * <p>
 * One response per type is in flight at a time; changes that come meanwhile are sent when it is acknowledged. Large
 * responses are paced across streams ({@link PacedSender}). A NACK
 * leaves the client at what it acknowledged before, and the node is rolled back ({@link DeltaStreams#nacked}); the
 * rolled-back snapshot is then diffed against what the client holds, like any other.
 * <p>
 * Everything runs on the stream's serial executor, so the state needs no lock.
 */
final class DeltaStream extends SerialStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    private final DeltaStreams streams;
    private final Map<ResourceType, Subscription> types = new EnumMap<>(ResourceType.class);
    private String group = "";
    private long nonces;

    /** One type's subscription and what the client holds of it. */
    private static final class Subscription {
        boolean wildcard;
        Set<String> names = Set.of();
        /** Names subscribed to but not yet sent (nothing sent since they were asked for). */
        Set<String> pending = new HashSet<>();
        /** The snapshot map the client holds (its subscribed part); null: nothing yet. */
        Map<String, VersionedResource<?>> acked;
        /** The map the response in flight brings the client to; null: none in flight. */
        Map<String, VersionedResource<?>> inflight;

        String inflightNonce = "";
        String inflightVersion = "";
        final String typeUrl;

        Subscription(String typeUrl) {
            this.typeUrl = typeUrl;
        }
    }

    DeltaStream(DeltaStreams streams, ServerCallStreamObserver<DeltaDiscoveryResponse> out, Executor serial) {
        super(out, serial, streams.budget(), streams.largeResponse(), DeltaDiscoveryResponse::getResourcesCount);
        this.streams = streams;
    }

    /** The node's snapshot changed: bring every type up to date. Called on any thread. */
    void snapshotChanged() {
        serial.execute(() -> types.keySet().forEach(this::refresh));
    }

    String group() {
        return group;
    }

    @Override
    void released() {
        streams.closed(this);
    }

    @Override
    void handle(DeltaDiscoveryRequest request) {
        ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(request.getTypeUrl());
        if (type == null) {
            fail("unknown type URL " + request.getTypeUrl());
            return;
        }
        if (request.hasNode() && group.isEmpty())
            streams.joined(this, NodeSnapshots.group(request.getNode().getId()));
        if (request.hasNode()) group = NodeSnapshots.group(request.getNode().getId());
        Subscription s = types.get(type);
        if (s == null) {
            s = new Subscription(request.getTypeUrl());
            // An empty first subscription is the legacy wildcard; "*" asks for everything explicitly.
            s.wildcard = request.getResourceNamesSubscribeCount() == 0
                    || request.getResourceNamesSubscribeList().contains("*");
            types.put(type, s);
        }
        subscribe(s, request);
        String nonce = request.getResponseNonce();
        streams.ledger()
                .answered(
                        this,
                        request.getTypeUrl(),
                        nonce,
                        request.hasErrorDetail()
                                ? Optional.of(request.getErrorDetail().getMessage())
                                : Optional.empty());
        if (!nonce.isEmpty() && nonce.equals(s.inflightNonce)) {
            if (request.hasErrorDetail()) {
                String rejected = s.inflightVersion;
                s.inflight = null;
                s.inflightNonce = "";
                // The node goes back to what this client accepted; that snapshot change refreshes every stream.
                streams.nacked(
                        group,
                        request.getTypeUrl(),
                        rejected,
                        request.getErrorDetail().getMessage());
                return;
            }
            s.acked = s.inflight;
            s.inflight = null;
            s.inflightNonce = "";
        }
        // An unknown or stale nonce is a plain request: the subscription changes above still apply.
        refresh(type);
    }

    private void subscribe(Subscription s, DeltaDiscoveryRequest request) {
        if (request.getResourceNamesSubscribeCount() == 0 && request.getResourceNamesUnsubscribeCount() == 0) return;
        Set<String> names = new HashSet<>(s.names);
        for (String n : request.getResourceNamesSubscribeList()) {
            if (n.equals("*")) {
                s.wildcard = true;
            } else if (names.add(n)) {
                s.pending.add(n);
            }
        }
        for (String n : request.getResourceNamesUnsubscribeList()) {
            if (n.equals("*")) s.wildcard = false;
            names.remove(n);
            s.pending.remove(n);
        }
        s.names = streams.interned(names);
    }

    /** Sends what the client lacks of {@code type}, unless a response of the type is in flight. */
    private void refresh(ResourceType type) {
        Subscription s = types.get(type);
        if (closed || s == null || group.isEmpty()) return;
        if (s.inflight != null) return; // sent when the client answers the response in flight
        Snapshot snapshot = streams.snapshot(group);
        if (snapshot == null) return;
        Map<String, VersionedResource<?>> now = snapshot.versionedResources(type);
        List<Resource> send;
        List<String> removed = new ArrayList<>();
        if (s.acked == null) {
            send = streams.everything(now, s.wildcard ? null : s.names);
            s.pending.clear();
        } else {
            send = new ArrayList<>();
            if (s.acked != now) {
                ResourceDiffs.Diff diff = streams.diff(s.acked, now);
                diff.changed().forEach((name, m) -> {
                    if (wants(s, name)) send.add(streams.resource(name, now.get(name)));
                });
                for (String name : diff.removed()) if (wants(s, name)) removed.add(name);
            }
            Set<String> already = new HashSet<>();
            for (Resource r : send) already.add(r.getName());
            for (String name : s.pending) {
                VersionedResource<?> r = now.get(name);
                if (r != null && !already.contains(name)) send.add(streams.resource(name, r));
            }
            s.pending.clear();
        }
        if (send.isEmpty() && removed.isEmpty()) {
            s.acked = now; // nothing it asks for differs: it holds this map's part already
            return;
        }
        String nonce = Long.toString(++nonces);
        String version = snapshot.version(type);
        s.inflight = now;
        s.inflightNonce = nonce;
        s.inflightVersion = version;
        streams.ledger().sent(this, group, s.typeUrl, version, nonce);
        sender.send(DeltaDiscoveryResponse.newBuilder()
                .setSystemVersionInfo(version)
                .setTypeUrl(s.typeUrl)
                .setNonce(nonce)
                .addAllResources(send)
                .addAllRemovedResources(removed)
                .build());
    }

    private static boolean wants(Subscription s, String name) {
        return s.wildcard || s.names.contains(name);
    }
}
