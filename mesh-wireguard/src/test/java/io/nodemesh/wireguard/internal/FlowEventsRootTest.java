package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.testing.Await;
import io.nodemesh.wireguard.testing.EchoClient;
import io.nodemesh.wireguard.testing.MeshTopology;
import io.nodemesh.wireguard.testing.WireguardNodes;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Flow events from the tunnel's counters between two real wireguard-go nodes, and strict mode's drops. */
class FlowEventsRootTest {
    private WireguardNodes nodes;
    private MeshTopology topo;
    private List<WireguardDataplane> dataplanes;
    private final List<FlowEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        WireguardNodes.require();
        nodes = WireguardNodes.create(2);
        topo = nodes.topology();
        dataplanes = nodes.open(o -> o.with(WireguardSettings.FLOW_INTERVAL_MS, "300"))
                .dataplanes();
        dataplanes.getFirst().flows().subscribe(events::add);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (nodes != null) nodes.close();
    }

    private MeshState state(boolean strict) {
        var b = MeshState.builder()
                .encryption(new EncryptionSpec(
                        EncryptionSpec.Mode.WIREGUARD,
                        (strict ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE),
                        ""));
        for (int i = 1; i <= 2; i++)
            b.node(topo.meshNode(i)
                    .withWireguardPublicKey(dataplanes.get(i - 1).publicKey().base64()));
        return b.build();
    }

    private long bytes(Predicate<FlowEvent> which) {
        return events.stream().filter(which).mapToLong(FlowEvent::bytes).sum();
    }

    @Test
    void tunnelTrafficBecomesCloseEventsWithAtLeastTheBytesSent() throws Exception {
        MeshState s = state(true);
        for (WireguardDataplane dp : dataplanes) dp.apply(s);
        assertThat(Await.until(() -> EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(2), 3000), 30))
                .isTrue();
        String line = "x".repeat(1000);
        long sent = 0;
        try (EchoClient c = EchoClient.connect(topo.podNs(1), MeshTopology.podIp(2), 10_000)) {
            for (int i = 0; i < 200; i++) {
                c.roundTrip(line);
                sent += line.length() + 1;
            }
        }
        Predicate<FlowEvent> out = e -> e.type() == FlowEvent.Type.CLOSE
                && e.source().identity().equals("node/node-1")
                && e.destination().identity().equals("node/node-2");
        Predicate<FlowEvent> in = e -> e.type() == FlowEvent.Type.CLOSE
                && e.source().identity().equals("node/node-2")
                && e.destination().identity().equals("node/node-1");
        long expected = sent;
        // The counters are ciphertext (headers, padding, tag): at least the payload, in both directions (echo).
        assertThat(Await.until(() -> bytes(out) >= expected && bytes(in) >= expected, 30))
                .as("tunnel bytes to node-2 %d and from it %d, payload %d", bytes(out), bytes(in), expected)
                .isTrue();
        assertThat(events).filteredOn(out).allSatisfy(e -> {
            assertThat(e.node()).isEqualTo("node-1");
            assertThat(e.verdict()).isEqualTo(Verdict.FORWARDED);
            assertThat(e.path()).isEqualTo(FlowPath.ENCRYPTED_TUNNEL);
            assertThat(e.destination().ip()).isEqualTo(MeshTopology.nodeAddress(2));
            assertThat(e.bytes()).isPositive();
        });
        // Plausible, not inflated: what the device counted, which is less than ten times the payload here.
        assertThat(bytes(out)).isLessThan(10 * expected);
        assertThat(dataplanes.getFirst().flows().stats().byPath().get(FlowPath.ENCRYPTED_TUNNEL))
                .isPositive();
    }

    @Test
    void aStrictModeDropBecomesADropEvent() {
        MeshState s = state(true);
        for (WireguardDataplane dp : dataplanes) dp.apply(s);
        // node-2 loses its key in node-1's view: no peer, so its pod CIDR is routed in clear, and strict mode drops it.
        MeshState keyless = new MeshState(
                s.nodes().stream()
                        .map(n -> n.name().equals("node-2") ? n.withWireguardPublicKey("") : n)
                        .toList(),
                s.workloads(),
                s.services(),
                s.policies(),
                s.routes(),
                s.encryption());
        dataplanes.getFirst().apply(keyless);
        assertThat(EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(2), 2000))
                .isFalse();
        Predicate<FlowEvent> drop = e -> e.type() == FlowEvent.Type.DROP
                && e.verdict() == Verdict.DROPPED_POLICY
                && e.destination().ip().equals(MeshTopology.podCidr(2))
                && e.destination().identity().equals("node/node-2");
        assertThat(Await.until(() -> events.stream().anyMatch(drop), 30))
                .as("a DROP event for node-2's pod CIDR, events %s", events)
                .isTrue();
        assertThat(events).filteredOn(drop).allSatisfy(e -> {
            assertThat(e.node()).isEqualTo("node-1");
            assertThat(e.source().identity()).isEqualTo("node/node-1");
            assertThat(e.bytes()).isPositive();
        });
        assertThat(((UserspaceWireguardDataplane) dataplanes.getFirst()).strictDrops())
                .isPositive();
        assertThat(dataplanes.getFirst().flows().stats().byVerdict().get(Verdict.DROPPED_POLICY))
                .isPositive();
    }
}
