package io.nodemesh.envoy.internal.xds;

import io.nodemesh.api.BackendHealth;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per open xDS stream and resource type: what was last sent, what the client last accepted and how often it rejected,
 * for {@code nodemesh status}. Both protocols report here, from {@link SotwStream} and {@link DeltaStream}. Streams
 * are any object identifying them; closing one forgets it.
 */
public final class ClientLedger {
    private record Key(Object stream, String typeUrl) {}

    private static final class Entry {
        final String typeUrl;
        volatile String node = "";
        volatile String sentVersion;
        volatile String ackedVersion;
        /**
         * Responses sent and not answered yet, nonce to version, oldest first: a SotW stream sends a few ahead of the
         * client's answers, so an answer may be to any of them.
         */
        final LinkedHashMap<String, String> unanswered = new LinkedHashMap<>();

        volatile long nacks;
        volatile String lastNack;

        Entry(String typeUrl) {
            this.typeUrl = typeUrl;
        }
    }

    /** More than a stream keeps ahead of its client's answers (SotwStream sends at most 4). */
    private static final int MAX_UNANSWERED = 16;

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

    void sent(Object stream, String node, String typeUrl, String version, String nonce) {
        Entry e = entries.computeIfAbsent(new Key(stream, typeUrl), k -> new Entry(typeUrl));
        synchronized (e) {
            e.node = node;
            e.sentVersion = version;
            e.unanswered.put(nonce, version);
            if (e.unanswered.size() > MAX_UNANSWERED) e.unanswered.pollFirstEntry();
        }
    }

    /** The client answered a response: {@code error} is its error detail when it rejected it. */
    void answered(Object stream, String typeUrl, String nonce, Optional<String> error) {
        Entry e = entries.get(new Key(stream, typeUrl));
        if (e == null || nonce.isEmpty()) return;
        synchronized (e) {
            String version = e.unanswered.get(nonce);
            if (version == null) return; // answered before, or an answer to a response long gone
            // It answers the ones before it too (a client answers in order).
            while (!e.unanswered.pollFirstEntry().getKey().equals(nonce)) {}
            if (error.isPresent()) {
                e.nacks++;
                e.lastNack = error.get();
            } else {
                e.ackedVersion = version;
            }
        }
    }

    void closed(Object stream) {
        entries.keySet().removeIf(k -> k.stream().equals(stream));
    }

    /** Every open stream's subscriptions, by node and type. */
    public List<BackendHealth.ProxyClient> clients() {
        return entries.values().stream()
                .map(e -> {
                    synchronized (e) {
                        return new BackendHealth.ProxyClient(
                                e.node,
                                e.typeUrl.substring(e.typeUrl.lastIndexOf('.') + 1),
                                Optional.ofNullable(e.sentVersion),
                                Optional.ofNullable(e.ackedVersion),
                                e.nacks,
                                Optional.ofNullable(e.lastNack));
                    }
                })
                .sorted(Comparator.comparing(BackendHealth.ProxyClient::node)
                        .thenComparing(BackendHealth.ProxyClient::resourceType))
                .toList();
    }
}
