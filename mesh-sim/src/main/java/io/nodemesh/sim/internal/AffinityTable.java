package io.nodemesh.sim.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Session affinity of one node's kernel, like the eBPF backend's {@code nm_affinity} LRU map keyed by (backend set,
 * client address): here (service, the dialled VIP's family, the client's {@link io.nodemesh.api.lb.SocketLbKey}
 * address), one key per kernel backend set. An entry serves while it has been unused for at most the service's
 * timeout (the kernel's {@code now - last_used <= timeout}), measured on the virtual clock.
 */
final class AffinityTable {
    private record Key(String service, String client) {}

    private record Entry(String backendIp, Instant lastUsed) {}

    private final Map<Key, Entry> entries = new HashMap<>();

    /** The backend this client last used for this service, if that was at most {@code timeout} ago. */
    Optional<String> lookup(String service, String client, Duration timeout, Instant now) {
        Entry e = entries.get(new Key(service, client));
        if (e == null) return Optional.empty();
        if (now.isAfter(e.lastUsed().plus(timeout))) {
            entries.remove(new Key(service, client));
            return Optional.empty();
        }
        return Optional.of(e.backendIp());
    }

    /** Records (or refreshes) that this client now uses {@code backendIp} for this service. */
    void remember(String service, String client, String backendIp, Instant now) {
        entries.put(new Key(service, client), new Entry(backendIp, now));
    }

    int size() {
        return entries.size();
    }
}
