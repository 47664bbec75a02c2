package io.nodemesh.wireguard.internal;

import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Watches peers whose session a key change broke until each has completed a handshake again, and re-creates a peer
 * that stays without one. Why: after a rotation both ends often start a handshake in the same instant; crossed
 * handshakes are dropped, both retry on the same 5 s timer and may cross again, and wireguard-go was seen taking 10-25 s
 * to recover. A re-created peer object initiates at once (WireGuard rate-limits initiations per peer object), at a
 * moment of our choosing with jitter, which breaks the lock-step. Only peers without a working session since the key
 * change are touched, so no healthy session is ever disturbed.
 */
final class HandshakeWatch {
    static final Duration FIRST_KICK = Duration.ofMillis(1000);
    static final Duration BETWEEN_KICKS = Duration.ofMillis(2000);
    static final Duration GIVE_UP = Duration.ofSeconds(30);

    /** One peer under watch: broken since {@code since}, last re-created at {@code lastKick}. */
    record Watched(String node, Instant since, Instant lastKick) {}

    private final Map<WireguardKey, Watched> watched = new HashMap<>();

    synchronized void watch(WireguardKey key, String node, Instant since) {
        watched.put(key, new Watched(node, since, since));
    }

    synchronized void forget(WireguardKey key) {
        watched.remove(key);
    }

    synchronized boolean isEmpty() {
        return watched.isEmpty();
    }

    synchronized Map<WireguardKey, Watched> snapshot() {
        return Map.copyOf(watched);
    }

    /**
     * One round: drops peers that handshook since their key change (or that waited too long: WireGuard's own retries
     * carry on) and returns the keys to re-create now.
     */
    synchronized java.util.List<WireguardKey> due(DeviceState device, Instant now) {
        java.util.List<WireguardKey> kick = new java.util.ArrayList<>();
        var it = watched.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            Watched w = e.getValue();
            Optional<PeerState> peer = device.peer(e.getKey());
            boolean settled =
                    peer.map(p -> p.lastHandshake().isAfter(w.since())).orElse(true);
            if (settled || now.isAfter(w.since().plus(GIVE_UP))) {
                it.remove();
                continue;
            }
            Duration wait = w.lastKick().equals(w.since()) ? FIRST_KICK : BETWEEN_KICKS;
            long jitter = ThreadLocalRandom.current().nextLong(500);
            if (now.isAfter(w.lastKick().plus(wait).plusMillis(jitter))) {
                kick.add(e.getKey());
                e.setValue(new Watched(w.node(), w.since(), now));
            }
        }
        return kick;
    }

    /** Runs rounds every 250 ms on a virtual thread until nothing is watched or {@code open} says stop. */
    static Thread start(
            HandshakeWatch watch,
            Supplier<Boolean> open,
            Supplier<DeviceState> device,
            Consumer<WireguardKey> recreate) {
        return Thread.ofVirtual().name("wireguard-handshake-watch").start(() -> {
            while (open.get() && !watch.isEmpty()) {
                try {
                    Thread.sleep(250);
                    for (WireguardKey key : watch.due(device.get(), Instant.now())) recreate.accept(key);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(HandshakeWatch.class).warn("handshake watch: {}", e.getMessage());
                }
            }
        });
    }
}
