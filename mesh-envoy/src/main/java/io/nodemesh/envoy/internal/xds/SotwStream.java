package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One state-of-the-world stream: ADS, or one type's service ({@code only}). Per type the client holds a snapshot map
 * (identity) and the names it had asked for, set when it acknowledges a response; a response is sent when the served
 * map or the asked names differ from what it holds once it accepts what was sent: a change goes out without waiting
 * for the answers to earlier responses (at most {@link #MAX_OUTSTANDING} ahead). An answer accepts its response and
 * those before it; a rejection drops them all (the client runs what it held). A request with a nonce of none of them
 * (an answer to an older response) changes only the names while newer responses are unanswered.
 * <p>
 * java-control-plane's stream kept a {@code HashSet} of every response's names and copied the 10,000 asked names of
 * every request into an {@code ImmutableSet}; here the names stay the request's list, one list object shared by every
 * request asking alike ({@link SharedNamesMarshaller}, {@link SotwRequest}), so an ACK asking what the client asked
 * before is recognized by identity, and sets of names are made once per distinct list ({@link SotwStreams#setOf}).
 * <p>
 * Endpoints and routes are named types, whose responses may carry only some resources: a client holding every name it
 * asks for at an earlier map gets the changed ones, and names it newly asks for. Everything else gets the complete
 * answer, shared by every client asking alike ({@link CompleteAnswers}) and encoded once ({@link SharedBodyMarshaller}).
 * Over ADS a complete answer waits until every asked name exists, as java-control-plane's did (Envoy asks for a
 * cluster's endpoints as soon as it learns the cluster). A NACK leaves the client at what it held; the node is rolled
 * back ({@link SotwStreams#nacked}) and keeps serving what the client accepted.
 * <p>
 * Everything runs on the stream's serial executor, so the state needs no lock.
 */
final class SotwStream extends SerialStream<SotwRequest, DiscoveryResponse> {
    private final SotwStreams streams;
    /** The type URL a per-type service serves (its requests may leave theirs empty); null over ADS. */
    private final String only;

    /**
     * Responses of a type sent ahead of the client's answers. Waiting for each ACK (300 KB of names at 10,000 load
     * assignments) before the next change held one change to 100 clients at ~170 ms; a few ahead, a slow reader cannot
     * pile them up.
     */
    private static final int MAX_OUTSTANDING = 4;

    private final Map<ResourceType, Subscription> types = new EnumMap<>(ResourceType.class);
    private String group = "";
    private long nonces;

    /** A response sent: its nonce and version, and what the client holds once it accepts it. */
    private record Sent(String nonce, String version, Map<String, VersionedResource<?>> map, List<String> names) {}

    private static final class Subscription {
        final ResourceType type;
        final String typeUrl;
        /** Everything of the type; else {@link #names}. */
        boolean wildcard;
        /** The client named resources of this type once: an empty list then asks for none, not for all. */
        boolean named;

        List<String> names = List.of();
        /** The map the client holds (its accepted response's); null: unknown, so it gets the complete answer. */
        Map<String, VersionedResource<?>> heldMap;
        /** The names it holds of that map; null: all of them. */
        List<String> heldNames;

        /** Responses sent and not answered yet, oldest first. */
        final Deque<Sent> outstanding = new ArrayDeque<>();

        Subscription(ResourceType type, String typeUrl) {
            this.type = type;
            this.typeUrl = typeUrl;
        }
    }

    SotwStream(SotwStreams streams, ServerCallStreamObserver<DiscoveryResponse> out, Executor serial, String only) {
        super(out, serial, streams.budget(), streams.largeResponse(), DiscoveryResponse::getResourcesCount);
        this.streams = streams;
        this.only = only;
    }

    /** The node's snapshot changed: bring every type up to date. Called on any thread. */
    void snapshotChanged() {
        serial.execute(() -> types.values().forEach(this::refresh));
    }

    String group() {
        return group;
    }

    @Override
    void released() {
        streams.closed(this);
    }

    @Override
    void handle(SotwRequest read) {
        DiscoveryRequest request = read.fields();
        String typeUrl = request.getTypeUrl().isEmpty() && only != null ? only : request.getTypeUrl();
        ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
        if (type == null || !Resources.V3.TYPE_URLS.contains(typeUrl)) {
            fail("unknown xDS v3 type URL '" + typeUrl + "'");
            return;
        }
        if (only != null && !only.equals(typeUrl)) {
            fail("this service serves " + only + ", not " + typeUrl);
            return;
        }
        if (request.hasNode()) {
            String g = NodeSnapshots.group(request.getNode().getId());
            if (!g.equals(group)) {
                streams.moved(this, group, g);
                group = g;
            }
        }
        Subscription s = types.computeIfAbsent(type, t -> new Subscription(t, typeUrl));
        String nonce = request.getResponseNonce();
        Optional<String> error =
                request.hasErrorDetail() ? Optional.of(request.getErrorDetail().getMessage()) : Optional.empty();
        streams.ledger().answered(this, s.typeUrl, nonce, error);
        subscribe(s, read.names());
        Sent answered = null;
        for (Sent x : s.outstanding) if (x.nonce.equals(nonce)) answered = x;
        if (answered != null) {
            if (error.isPresent()) {
                // What followed the rejected response was built on it: the client is where it was, and the node goes
                // back to what it runs; that snapshot change refreshes every stream of the node.
                s.outstanding.clear();
                streams.nacked(group, s.typeUrl, request.getVersionInfo(), answered.version, error.get());
            } else {
                while (s.outstanding.pollFirst() != answered) {} // it accepted the ones before too
                s.heldMap = answered.map;
                s.heldNames = answered.names;
            }
        } else if (nonce.isEmpty()) {
            // A first request, or a client starting the type over. Its version_info is not trusted to name what it
            // holds: a client back from a restarted server may run another configuration under the same version.
            s.outstanding.clear();
            s.heldMap = null;
            s.heldNames = null;
        }
        // A client forgets the resources it no longer asks for: asked again, they must be sent again.
        if (s.heldMap != null && s.heldNames != null && !s.wildcard) s.heldNames = kept(s.heldNames, s.names);
        // An answer to an older response while newer ones are unanswered: their answers tell what it lacks.
        if (answered == null && !nonce.isEmpty() && !s.outstanding.isEmpty()) return;
        refresh(s);
    }

    private void subscribe(Subscription s, List<String> names) {
        boolean star = streams.contains(names, "*");
        if (!names.isEmpty() && !star) s.named = true;
        // An empty list is the legacy wildcard: always for clusters and listeners, for the named types only until the
        // client names some.
        boolean wildcardType = s.type == ResourceType.CLUSTER || s.type == ResourceType.LISTENER;
        s.wildcard = star || names.isEmpty() && (wildcardType || !s.named);
        s.names = s.wildcard ? List.of() : names;
    }

    /** The names of {@code held} still in {@code asked}, in held's order; held itself when all are. */
    private List<String> kept(List<String> held, List<String> asked) {
        if (held == asked || held.equals(asked)) return asked;
        Set<String> still = streams.setOf(asked);
        List<String> out = new ArrayList<>(Math.min(held.size(), asked.size()));
        for (String n : held) if (still.contains(n)) out.add(n);
        return out.size() == held.size() ? held : out;
    }

    /** The names of {@code asked} not in {@code held} (null: the client holds all of the type). */
    private List<String> added(List<String> held, List<String> asked) {
        if (held == null || held == asked || held.equals(asked)) return List.of();
        Set<String> has = streams.setOf(held);
        List<String> out = new ArrayList<>();
        for (String n : asked) if (!has.contains(n)) out.add(n);
        return out;
    }

    /** Sends what the client lacks of the type, unless too many of its responses are unanswered. */
    private void refresh(Subscription s) {
        if (closed || group.isEmpty() || s.outstanding.size() >= MAX_OUTSTANDING) return;
        Snapshot snapshot = streams.snapshot(group);
        if (snapshot == null) return;
        Map<String, VersionedResource<?>> now = snapshot.versionedResources(s.type);
        String version = snapshot.version(s.type);
        List<String> asked = s.names;
        if (!s.wildcard && asked.isEmpty()) return; // asks for nothing; a named type needs no answer then
        // What the client will hold once it accepts what was sent: changes follow without waiting for its answers.
        Sent last = s.outstanding.peekLast();
        Map<String, VersionedResource<?>> base = last != null ? last.map : s.heldMap;
        List<String> baseNames = last != null ? last.names : s.heldNames;
        List<String> fresh = base == null ? null : s.wildcard ? List.of() : added(baseNames, asked);
        boolean holdsAll = base != null && (s.wildcard ? baseNames == null : fresh.isEmpty());
        if (holdsAll && base == now) return;
        if (partial(s, base, now, version, asked, fresh)) return;
        CompleteAnswers.Answer answer = streams.answer(now, asked);
        if (answer.missing && only == null) return; // over ADS: wait until every asked name exists
        send(s, version, now, asked, streams.packed(answer));
    }

    /**
     * Sends only what changed since the map the client holds and the names it newly asks for, if the type allows a
     * partial response and no name it asks for was removed (only a complete answer says so); true if it did.
     */
    private boolean partial(
            Subscription s,
            Map<String, VersionedResource<?>> base,
            Map<String, VersionedResource<?>> now,
            String version,
            List<String> asked,
            List<String> fresh) {
        if (s.wildcard || base == null || s.type != ResourceType.ENDPOINT && s.type != ResourceType.ROUTE) return false;
        Map<String, Message> changes = new LinkedHashMap<>();
        if (base != now) {
            ResourceDiffs.Diff diff = streams.diff(base, now);
            Set<String> wanted = streams.setOf(asked);
            for (String gone : diff.removed()) if (wanted.contains(gone)) return false;
            diff.changed().forEach((name, m) -> {
                if (wanted.contains(name)) changes.put(name, m);
            });
        }
        for (String name : fresh) {
            VersionedResource<?> r = now.get(name);
            if (r == null) return false; // the complete answer decides whether to wait for it
            changes.putIfAbsent(name, r.resource());
        }
        List<Any> packed = new ArrayList<>(changes.size());
        for (Message m : changes.values()) packed.add(streams.packed(m));
        send(s, version, now, asked, packed);
        return true;
    }

    private void send(
            Subscription s, String version, Map<String, VersionedResource<?>> map, List<String> asked, List<Any> body) {
        String nonce = Long.toString(++nonces);
        s.outstanding.addLast(new Sent(nonce, version, map, s.wildcard ? null : asked));
        streams.ledger().sent(this, group, s.typeUrl, version, nonce);
        sender.send(DiscoveryResponse.newBuilder()
                .setVersionInfo(version)
                .setTypeUrl(s.typeUrl)
                .setNonce(nonce)
                .addAllResources(body)
                .build());
    }
}
