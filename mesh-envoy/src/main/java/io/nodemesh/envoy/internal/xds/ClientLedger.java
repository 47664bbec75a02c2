package io.nodemesh.envoy.internal.xds;

import io.nodemesh.api.BackendHealth;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per open xDS stream and resource type: what was last sent, what the client last accepted and how often it rejected,
 * for {@code nodemesh status}. Both protocols report here: state of the world from the server's callbacks, delta from
 * {@link DeltaStream}. Streams are any object identifying them; closing one forgets it.
 */
public final class ClientLedger {
    private record Key(Object stream, String typeUrl) {}

    private static final class Entry {
        final String typeUrl;
        volatile String node = "";
        volatile String sentVersion;
        volatile String sentNonce = "";
        volatile String ackedVersion;
        volatile long nacks;
        volatile String lastNack;

        Entry(String typeUrl) {
            this.typeUrl = typeUrl;
        }
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

    void sent(Object stream, String node, String typeUrl, String version, String nonce) {
        Entry e = entries.computeIfAbsent(new Key(stream, typeUrl), k -> new Entry(typeUrl));
        synchronized (e) {
            e.node = node;
            e.sentVersion = version;
            e.sentNonce = nonce;
        }
    }

    /** The client answered a response: {@code error} is its error detail when it rejected it. */
    void answered(Object stream, String typeUrl, String nonce, Optional<String> error) {
        Entry e = entries.get(new Key(stream, typeUrl));
        if (e == null || nonce.isEmpty()) return;
        synchronized (e) {
            if (!nonce.equals(e.sentNonce)) return; // an answer to an older response: it says nothing about the last
            if (error.isPresent()) {
                e.nacks++;
                e.lastNack = error.get();
            } else {
                e.ackedVersion = e.sentVersion;
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
