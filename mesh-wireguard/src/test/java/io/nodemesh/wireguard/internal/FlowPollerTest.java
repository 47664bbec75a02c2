package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.PeerState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FlowPollerTest {
    private static final WireguardKey B = WireguardKey.parse("IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=");
    private static final FlowPeer SELF = new FlowPeer("10.211.0.1", 51820, "", "node/node-a");
    private static final FlowPeer NODE_B = new FlowPeer("10.211.0.2", 51820, "", "node/node-b");

    private final AtomicReference<Long[]> counters = new AtomicReference<>(new Long[] {0L, 0L});
    private final AtomicReference<List<StrictModeFirewall.Drops>> drops = new AtomicReference<>(List.of());
    private final FlowHub hub = new FlowHub();
    private final List<FlowEvent> events = new ArrayList<>();
    private final FlowPoller poller =
            new FlowPoller("node-a", hub, this::device, drops::get, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    FlowPollerTest() {
        hub.subscribe(events::add);
        poller.view(new FlowView(SELF, Map.of(B, NODE_B), Map.of("10.210.2.0/24", NODE_B)));
    }

    private DeviceState device() {
        Long[] c = counters.get();
        return new DeviceState(
                Optional.empty(),
                51820,
                0,
                List.of(new PeerState(B, Optional.empty(), List.of(), 0, Instant.EPOCH, c[1], c[0])));
    }

    @Test
    void publishesTheIncreaseOfEachPeerCounterBothWays() {
        counters.set(new Long[] {1000L, 400L}); // tx, rx
        poller.poll();
        assertThat(events)
                .containsExactly(
                        new FlowEvent(
                                Instant.EPOCH,
                                "node-a",
                                FlowEvent.Type.CLOSE,
                                SELF,
                                NODE_B,
                                "",
                                null,
                                Verdict.FORWARDED,
                                FlowPath.ENCRYPTED_TUNNEL,
                                1000),
                        new FlowEvent(
                                Instant.EPOCH,
                                "node-a",
                                FlowEvent.Type.CLOSE,
                                NODE_B,
                                SELF,
                                "",
                                null,
                                Verdict.FORWARDED,
                                FlowPath.ENCRYPTED_TUNNEL,
                                400));
        events.clear();
        poller.poll();
        assertThat(events).as("nothing moved, nothing published").isEmpty();
        counters.set(new Long[] {1500L, 400L});
        poller.poll();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.bytes()).isEqualTo(500));
        events.clear();
        counters.set(new Long[] {70L, 0L}); // the peer was re-created: its counters started over
        poller.poll();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.bytes()).isEqualTo(70));
        assertThat(hub.stats().byPath().get(FlowPath.ENCRYPTED_TUNNEL)).isEqualTo(4);
    }

    @Test
    void strictModeDropsBecomeDropEventsForTheOwningNode() {
        drops.set(List.of(
                new StrictModeFirewall.Drops("10.210.2.0/24", 3, 180), new StrictModeFirewall.Drops("other", 0, 0)));
        poller.poll();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(FlowEvent.Type.DROP);
            assertThat(e.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
            assertThat(e.path()).isEqualTo(FlowPath.NONE);
            assertThat(e.source()).isEqualTo(SELF);
            assertThat(e.destination()).isEqualTo(new FlowPeer("10.210.2.0/24", 0, "", "node/node-b"));
            assertThat(e.bytes()).isEqualTo(180);
        });
        events.clear();
        poller.dropCountersReset();
        drops.set(List.of(new StrictModeFirewall.Drops("10.210.2.0/24", 1, 60)));
        poller.poll();
        assertThat(events).singleElement().satisfies(e -> assertThat(e.bytes()).isEqualTo(60));
    }
}
