package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ServerCallHandler;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * nodemesh's state-of-the-world xDS: the streams ({@link SotwStream}) of ADS and of the per-type services, which node
 * each serves, and what they share — complete answers, packed resources, diffs, sets of asked names, the send budget.
 */
final class SotwStreams {
    /** What a client rejected: the node is rolled back and the NACK reported (by the xDS server). */
    interface Rejections {
        void rejected(String group, String typeUrl, String acceptedVersion, String rejectedVersion, String detail);
    }

    private final MeshCache cache;
    private final PackedResources packed;
    private final StreamExecutors executors;
    private final Rejections rejections;
    private final ClientLedger ledger;
    private final SendBudget budget;
    private final int large;
    private final Map<String, Set<SotwStream>> byGroup = new ConcurrentHashMap<>();
    private final CompleteAnswers answers = new CompleteAnswers();
    /** Per distinct list of asked names (by identity: requests asking alike share the list), its set. */
    private final Map<IdentityKey, Set<String>> sets = new Recent<>(64);
    /** Lists of this many names or more have their set remembered. */
    private static final int REMEMBERED_FROM = 64;

    SotwStreams(
            MeshCache cache,
            PackedResources packed,
            StreamExecutors executors,
            Rejections rejections,
            ClientLedger ledger,
            SendBudget budget,
            int large) {
        this.cache = cache;
        this.packed = packed;
        this.executors = executors;
        this.rejections = rejections;
        this.ledger = ledger;
        this.budget = budget;
        this.large = large;
        cache.onSnapshot(group -> byGroup.getOrDefault(group, Set.of()).forEach(SotwStream::snapshotChanged));
    }

    /** The gRPC handler of a state-of-the-world stream: ADS ({@code only} null) or the service of type {@code only}. */
    ServerCallHandler<SotwRequest, DiscoveryResponse> handler(String only) {
        return ServerCalls.asyncBidiStreamingCall(responses ->
                new SotwStream(this, (ServerCallStreamObserver<DiscoveryResponse>) responses, executors.next(), only));
    }

    ClientLedger ledger() {
        return ledger;
    }

    SendBudget budget() {
        return budget;
    }

    int largeResponse() {
        return large;
    }

    /** {@code stream} now speaks for node {@code to} (from {@code from}, "" at first). */
    void moved(SotwStream stream, String from, String to) {
        Set<SotwStream> before = byGroup.get(from);
        if (before != null) before.remove(stream);
        byGroup.computeIfAbsent(to, g -> ConcurrentHashMap.newKeySet()).add(stream);
    }

    void closed(SotwStream stream) {
        ledger.closed(stream);
        Set<SotwStream> streams = byGroup.get(stream.group());
        if (streams != null) streams.remove(stream);
    }

    Snapshot snapshot(String group) {
        return cache.getSnapshot(group);
    }

    ResourceDiffs.Diff diff(Map<String, VersionedResource<?>> before, Map<String, VersionedResource<?>> now) {
        return cache.diff(before, now);
    }

    void nacked(String group, String typeUrl, String accepted, String rejected, String detail) {
        rejections.rejected(group, typeUrl, accepted, rejected, detail);
    }

    /** What {@code names} (all of the type when empty) finds in {@code resources}, shared by every asker alike. */
    CompleteAnswers.Answer answer(Map<String, VersionedResource<?>> resources, List<String> names) {
        return answers.answer(resources, names);
    }

    /** The answer's resources packed, the same {@code Any} objects for every response carrying it. */
    List<Any> packed(CompleteAnswers.Answer answer) {
        return (List<Any>) packed.serialize(answer, ApiVersion.V3);
    }

    Any packed(Message resource) {
        return packed.serialize(resource, ApiVersion.V3);
    }

    /**
     * The set of {@code names}, made once per list object. Short lists are not remembered: they are cheap to set-ify,
     * and as they are not shared between requests ({@link SharedNamesMarshaller}) each would push out a long list's.
     */
    Set<String> setOf(List<String> names) {
        if (names.size() < REMEMBERED_FROM) return Set.copyOf(names);
        IdentityKey key = new IdentityKey(names);
        synchronized (sets) {
            Set<String> known = sets.get(key);
            if (known != null) return known;
        }
        Set<String> made = Set.copyOf(new HashSet<>(names));
        synchronized (sets) {
            sets.put(key, made);
        }
        return made;
    }

    /** Whether {@code names} holds {@code name}: a long list through its remembered set, not a scan per request. */
    boolean contains(List<String> names, String name) {
        return names.size() < REMEMBERED_FROM
                ? names.contains(name)
                : setOf(names).contains(name);
    }

    /** A list compared by identity: hashing 10,000 names to find their set would cost what the set saves. */
    private record IdentityKey(List<String> names) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityKey k && k.names == names;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(names);
        }
    }
}
