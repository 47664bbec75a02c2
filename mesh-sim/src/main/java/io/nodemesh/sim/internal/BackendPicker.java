package io.nodemesh.sim.internal;

import io.nodemesh.api.lb.SocketLbKey;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.WeightedBackend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks a backend for a new connection by the service's {@link io.nodemesh.api.state.LoadBalancing}, with the state a
 * node's kernel keeps for it: a seeded random source and per-service round-robin counters.
 */
final class BackendPicker {
    private final SplittableRandom random;
    private final Map<String, Long> roundRobin = new HashMap<>();

    BackendPicker(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * One of a route rule's weighted backends, with probability weight / total, from the same seeded stream as the
     * endpoint choices (so a run stays repeatable). Validation guarantees a positive total.
     */
    WeightedBackend weighted(List<WeightedBackend> backends) {
        long total = 0;
        for (WeightedBackend b : backends) total += Math.max(0, b.weight());
        long ticket = random.nextLong(total);
        for (WeightedBackend b : backends) {
            ticket -= Math.max(0, b.weight());
            if (ticket < 0) return b;
        }
        throw new IllegalStateException("weights of " + backends + " add up to " + total);
    }

    /**
     * Whether a request falls into a fault's {@code percent} share. 0 and 100 draw nothing from the stream, so states
     * without faults keep the exact choices they had before faults existed.
     */
    boolean chance(int percent) {
        if (percent <= 0) return false;
        if (percent >= 100) return true;
        return random.nextInt(100) < percent;
    }

    /**
     * One of {@code ready} (never empty) for a client keyed by {@code client} ({@link SocketLbKey}) that dialled
     * {@code vip:port}. Maglev hashes that key, as the kernel does, over the ready backends of the VIP's family (all
     * ready backends when the family has none, where the kernel would refuse).
     */
    Endpoint pick(Snapshot snapshot, Service service, List<Endpoint> ready, byte[] client, String vip, int port) {
        return switch (service.loadBalancing()) {
            case RANDOM -> ready.get(random.nextInt(ready.size()));
            case ROUND_ROBIN -> {
                long turn = roundRobin.merge(service.key(), 1L, Long::sum) - 1;
                yield ready.get((int) (turn % ready.size()));
            }
            case MAGLEV -> {
                FamilyMaglev family = snapshot.maglevTable(service, ready, IpAddresses.isV6(vip));
                if (family.backends().isEmpty()) family = snapshot.maglevTable(service, ready, !IpAddresses.isV6(vip));
                yield family.pick(SocketLbKey.hash(client, SocketLbKey.address(vip), port));
            }
        };
    }
}
