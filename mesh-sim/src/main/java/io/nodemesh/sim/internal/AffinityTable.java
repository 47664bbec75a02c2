package io.nodemesh.sim.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Client-IP session affinity of one node's kernel, like the eBPF backend's LRU map keyed by (service, client address):
 * an entry lives until it has been unused for the service's timeout, measured on the virtual clock.
 */
final class AffinityTable {
    private record Key(String service, String clientIp) {}

    private record Entry(String backendIp, Instant lastUsed) {}

    private final Map<Key, Entry> entries = new HashMap<>();

    /** The backend this client last used for this service, if that was less than {@code timeout} ago. */
    Optional<String> lookup(String service, String clientIp, Duration timeout, Instant now) {
        Entry e = entries.get(new Key(service, clientIp));
        if (e == null) return Optional.empty();
        if (!now.isBefore(e.lastUsed().plus(timeout))) {
            entries.remove(new Key(service, clientIp));
            return Optional.empty();
        }
        return Optional.of(e.backendIp());
    }

    /** Records (or refreshes) that this client now uses {@code backendIp} for this service. */
    void remember(String service, String clientIp, String backendIp, Instant now) {
        entries.put(new Key(service, clientIp), new Entry(backendIp, now));
    }

    int size() {
        return entries.size();
    }
}
