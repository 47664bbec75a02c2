package io.nodemesh.wireguard.internal;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.PeerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the tunnel's counters into flow events. A WireGuard device knows bytes per peer, nothing per connection, so
 * each poll publishes, per peer whose counters moved: a {@code CLOSE} event for what this node sent to the peer
 * (source = this node) and one for what it received (source = the peer), {@code bytes} = the increase since the last
 * poll, {@link Verdict#FORWARDED} via {@link FlowPath#ENCRYPTED_TUNNEL}. {@code CLOSE} because it is the type the
 * other backends use for "bytes carried, accounted at the end of a span" — here the span is one poll interval.
 * <p>
 * In strict mode, each guarded CIDR's drop counter that rose becomes a {@code DROP} event with
 * {@link Verdict#DROPPED_POLICY} and {@link FlowPath#NONE} (never sent, as the other backends' drops), source = this
 * node (a counter cannot tell which pod or process sent it), destination = the owning node with the CIDR as address.
 * <p>
 * A counter that went down (a peer re-created after a key change, a firewall table rebuilt) starts over from zero.
 */
final class FlowPoller {
    private static final Logger LOG = LoggerFactory.getLogger(FlowPoller.class);

    private final String node;
    private final FlowHub hub;
    private final Supplier<DeviceState> device;
    private final Supplier<List<StrictModeFirewall.Drops>> drops;
    private final Clock clock;
    private volatile FlowView view = FlowView.EMPTY;
    private final Map<WireguardKey, long[]> lastPeer = new HashMap<>();
    private final Map<String, Long> lastDrop = new HashMap<>();
    private Thread thread;

    FlowPoller(
            String node,
            FlowHub hub,
            Supplier<DeviceState> device,
            Supplier<List<StrictModeFirewall.Drops>> drops,
            Clock clock) {
        this.node = node;
        this.hub = hub;
        this.device = device;
        this.drops = drops;
        this.clock = clock;
    }

    void view(FlowView next) {
        view = next;
    }

    /** One round: reads the counters and publishes what moved since the last round. */
    synchronized void poll() {
        FlowView v = view;
        Instant now = clock.instant();
        DeviceState d = device.get();
        Map<WireguardKey, long[]> seen = new HashMap<>();
        for (PeerState p : d.peers()) {
            long[] last = lastPeer.getOrDefault(p.publicKey(), new long[2]);
            long tx = delta(p.txBytes(), last[0]);
            long rx = delta(p.rxBytes(), last[1]);
            seen.put(p.publicKey(), new long[] {p.txBytes(), p.rxBytes()});
            FlowPeer peer = v.peers().get(p.publicKey());
            if (peer == null)
                peer = new FlowPeer(
                        p.endpoint().map(e -> e.getAddress().getHostAddress()).orElse(""), 0, "", "");
            if (tx > 0)
                hub.publish(new FlowEvent(
                        now,
                        node,
                        FlowEvent.Type.CLOSE,
                        v.self(),
                        peer,
                        "",
                        null,
                        Verdict.FORWARDED,
                        FlowPath.ENCRYPTED_TUNNEL,
                        tx));
            if (rx > 0)
                hub.publish(new FlowEvent(
                        now,
                        node,
                        FlowEvent.Type.CLOSE,
                        peer,
                        v.self(),
                        "",
                        null,
                        Verdict.FORWARDED,
                        FlowPath.ENCRYPTED_TUNNEL,
                        rx));
        }
        lastPeer.clear();
        lastPeer.putAll(seen);
        pollDrops(v, now);
    }

    private void pollDrops(FlowView v, Instant now) {
        for (StrictModeFirewall.Drops c : drops.get()) {
            long bytes = delta(c.bytes(), lastDrop.getOrDefault(c.cidr(), 0L));
            lastDrop.put(c.cidr(), c.bytes());
            if (bytes <= 0) continue;
            FlowPeer owner = v.cidrOwners().get(c.cidr());
            FlowPeer destination = new FlowPeer(c.cidr(), 0, "", owner == null ? "" : owner.identity());
            hub.publish(new FlowEvent(
                    now,
                    node,
                    FlowEvent.Type.DROP,
                    v.self(),
                    destination,
                    "",
                    null,
                    Verdict.DROPPED_POLICY,
                    FlowPath.NONE,
                    bytes));
        }
    }

    /** {@link #poll()}, logging rather than throwing: for callers whose own work must not fail because of accounting. */
    void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("wireguard flows on node {}: {}", node, e.getMessage());
        }
    }

    /** The strict-mode table was rebuilt: its counters start at zero again. */
    synchronized void dropCountersReset() {
        lastDrop.clear();
    }

    private static long delta(long now, long last) {
        return now >= last ? now - last : now;
    }

    /** Polls every {@code interval} on a daemon thread until {@link #stop()}. */
    synchronized void start(Duration interval, String name) {
        thread = Thread.ofPlatform().daemon(true).name(name).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                    poll();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("wireguard flows on node {}: {}", node, e.getMessage());
                }
            }
        });
    }

    void stop() {
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        if (t == null) return;
        t.interrupt();
        try {
            t.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
