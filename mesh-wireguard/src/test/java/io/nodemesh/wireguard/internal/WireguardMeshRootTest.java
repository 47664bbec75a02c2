package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.netlab.Commands;
import io.nodemesh.wireguard.PrivateKeyFile;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.testing.Await;
import io.nodemesh.wireguard.testing.EchoClient;
import io.nodemesh.wireguard.testing.MeshTopology;
import io.nodemesh.wireguard.testing.UnderlayCapture;
import io.nodemesh.wireguard.testing.WireguardNodes;
import io.nodemesh.wireguard.uapi.PeerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes as network namespaces on an underlay bridge, each running wireguard-go configured by nodemesh, with a pod
 * behind each. Proves on the wire what the backend promises: encryption, no flap, strict mode, rotation, bad input.
 */
class WireguardMeshRootTest {
    private static final int NODES = 3;
    private static final int WG_PORT = 51820;

    private WireguardNodes nodes;
    private MeshTopology topo;

    @BeforeEach
    void setUp() throws IOException {
        WireguardNodes.require("dumpcap", "wireshark-common");
        nodes = WireguardNodes.create(NODES);
        topo = nodes.topology();
        nodes.open(o -> o.with("wireguard.keepalive", "5"));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (nodes != null) nodes.close();
    }

    private WireguardDataplane dp(int i) {
        return nodes.dp(i);
    }

    /** The cluster with every node's current public key and the given encryption. */
    private MeshState state(EncryptionSpec encryption) {
        var b = MeshState.builder().encryption(encryption);
        for (int i = 1; i <= NODES; i++)
            b.node(topo.meshNode(i).withWireguardPublicKey(dp(i).publicKey().base64()));
        return b.build();
    }

    private static EncryptionSpec wireguard(boolean strict) {
        return new EncryptionSpec(
                EncryptionSpec.Mode.WIREGUARD,
                (strict ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE),
                "");
    }

    private static MeshState withNode(MeshState s, String name, UnaryOperator<Node> change) {
        return new MeshState(
                s.nodes().stream()
                        .map(n -> n.name().equals(name) ? change.apply(n) : n)
                        .toList(),
                s.workloads(),
                s.services(),
                s.policies(),
                s.routes(),
                s.encryption());
    }

    private static MeshState withoutNode(MeshState s, String name) {
        return new MeshState(
                s.nodes().stream().filter(n -> !n.name().equals(name)).toList(),
                s.workloads(),
                s.services(),
                s.policies(),
                s.routes(),
                s.encryption());
    }

    private void applyAll(MeshState s) {
        for (WireguardDataplane dp : nodes.dataplanes()) dp.apply(s);
    }

    private void awaitReachable(int from, int to) {
        assertThat(Await.until(() -> EchoClient.canReach(topo.podNs(from), MeshTopology.podIp(to), 3000), 30))
                .as("pod %d reaches pod %d", from, to)
                .isTrue();
    }

    private static String marker() {
        return "NODEMESH-MARKER-" + UUID.randomUUID();
    }

    /** Sends {@code lines} round trips of {@code marker} from pod {@code from} to pod {@code to} through a capture. */
    private UnderlayCapture capturedTraffic(int from, int to, String marker, int lines) throws Exception {
        UnderlayCapture capture = UnderlayCapture.start(
                topo.underlayNs(),
                MeshTopology.UNDERLAY_BRIDGE,
                new UnderlayCapture.FlushProbe(topo.nodeNs(3), "10.211.0.255"));
        try (EchoClient c = EchoClient.connect(topo.podNs(from), MeshTopology.podIp(to), 10_000)) {
            for (int i = 0; i < lines; i++) c.roundTrip(marker + "-" + i);
        }
        capture.stop();
        return capture;
    }

    @Test
    void podToPodTrafficCrossesTheUnderlayOnlyAsWireguardUdp() throws Exception {
        applyAll(state(wireguard(false)));
        awaitReachable(1, 2);
        awaitReachable(1, 3);
        String marker = marker();
        try (UnderlayCapture capture = capturedTraffic(1, 2, marker, 50)) {
            var packets = capture.stop();
            assertThat(capture.contains(marker))
                    .as("marker in clear on the underlay")
                    .isFalse();
            assertThat(packets).as("IPv4 packets on the underlay").isNotEmpty();
            // The kernel's own IGMP membership reports (224.0.0.0/24, link-local) may cross too; they carry no traffic.
            assertThat(packets)
                    .filteredOn(p -> !(p.protocol() == 2 && p.dst().startsWith("224.0.0.")))
                    .allSatisfy(p -> {
                        assertThat(p.isUdp())
                                .as("%s -> %s proto %d", p.src(), p.dst(), p.protocol())
                                .isTrue();
                        assertThat(List.of(p.srcPort(), p.dstPort())).containsOnly(WG_PORT);
                        assertThat(p.src()).startsWith("10.211.0.");
                        assertThat(p.dst()).startsWith("10.211.0.");
                    });
            // Enough ciphertext crossed for 50 round trips: the traffic really went through the tunnel.
            assertThat(packets.stream()
                            .filter(p -> p.dst().equals(MeshTopology.nodeAddress(2)))
                            .count())
                    .isGreaterThanOrEqualTo(50);
        }
        assertThat(dp(1).device().peer(dp(2).publicKey()))
                .get()
                .satisfies(p -> assertThat(p.hasHandshake()).isTrue());
        BackendHealth health = dp(1).health().getFirst();
        assertThat(health.peers())
                .as("the peer is named by its node, with the handshake and the bytes the device counted")
                .filteredOn(p -> p.publicKey().equals(dp(2).publicKey().base64()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.node()).isEqualTo(topo.meshNode(2).name());
                    assertThat(p.lastHandshake()).isPresent();
                    assertThat(p.rxBytes()).isPositive();
                    assertThat(p.txBytes()).isPositive();
                    assertThat(p.endpoint()).isPresent();
                });
        assertThat(health.problems()).isEmpty();

        // Control: the same traffic without encryption shows the marker, so the check above can fail.
        applyAll(state(EncryptionSpec.NONE));
        assertThat(dp(1).device().peers()).isEmpty();
        awaitReachable(1, 2);
        String clear = marker();
        try (UnderlayCapture capture = capturedTraffic(1, 2, clear, 5)) {
            assertThat(capture.contains(clear))
                    .as("marker in clear without encryption")
                    .isTrue();
        }
    }

    @Test
    void changingOnePeerTouchesOnlyThatPeer() throws Exception {
        MeshState s = state(wireguard(false));
        applyAll(s);
        awaitReachable(1, 2);
        awaitReachable(1, 3);
        try (EchoClient open = EchoClient.connect(topo.podNs(1), MeshTopology.podIp(2), 10_000)) {
            open.roundTrip("before");
            PeerState before = dp(1).device().peer(dp(2).publicKey()).orElseThrow();
            assertThat(before.hasHandshake()).isTrue();

            // node-3 gains a pod CIDR, then leaves the mesh: node-1's peer node-2 must not notice either change.
            MeshState grown = withNode(
                    s,
                    "node-3",
                    n -> new Node(
                            n.name(),
                            n.addresses(),
                            List.of(MeshTopology.podCidr(3), "10.210.33.0/24"),
                            n.wireguardPublicKey()));
            var result = dp(1).apply(grown);
            assertThat(result.changes()).extracting(Object::toString).containsExactly("updated node node-3");
            assertThat(dp(1).device().peer(dp(3).publicKey()).orElseThrow().allowedIps())
                    .containsExactlyInAnyOrder(MeshTopology.podCidr(3), "10.210.33.0/24");
            assertThat(Commands.check("ip", "-n", topo.nodeNs(1), "route", "show", "10.210.33.0/24"))
                    .contains("dev " + topo.wgIface(1));
            dp(1).apply(withoutNode(grown, "node-3"));
            assertThat(dp(1).device().peer(dp(3).publicKey())).isEmpty();
            assertThat(Commands.check("ip", "-n", topo.nodeNs(1), "route", "show", "10.210.33.0/24"))
                    .isBlank();

            PeerState after = dp(1).device().peer(dp(2).publicKey()).orElseThrow();
            assertThat(after.lastHandshake()).as("node-2 session untouched").isEqualTo(before.lastHandshake());
            assertThat(after.txBytes())
                    .as("node-2 counters kept (a re-created peer starts at 0)")
                    .isGreaterThanOrEqualTo(before.txBytes());
            assertThat(after.rxBytes()).isGreaterThanOrEqualTo(before.rxBytes());
            open.roundTrip("after");
            PeerState later = dp(1).device().peer(dp(2).publicKey()).orElseThrow();
            assertThat(later.txBytes()).isGreaterThan(before.txBytes());
            assertThat(later.lastHandshake()).isEqualTo(before.lastHandshake());
        }
    }

    /** Removes node-2 from what node-1 knows while a connection to pod 2 is open, then writes the marker on it. */
    private UnderlayCapture markerAfterPeerRemoval(boolean strict, String marker) throws Exception {
        MeshState s = state(wireguard(strict));
        applyAll(s);
        awaitReachable(1, 2);
        try (EchoClient open = EchoClient.connect(topo.podNs(1), MeshTopology.podIp(2), 2_000)) {
            open.roundTrip("established");
            dp(1).apply(withoutNode(s, "node-2"));
            UnderlayCapture capture = UnderlayCapture.start(
                    topo.underlayNs(),
                    MeshTopology.UNDERLAY_BRIDGE,
                    new UnderlayCapture.FlushProbe(topo.nodeNs(3), "10.211.0.255"));
            AtomicBoolean failed = new AtomicBoolean();
            for (int i = 0; i < 3; i++) {
                try {
                    open.roundTrip(marker + "-" + i);
                } catch (IOException e) {
                    failed.set(true);
                }
            }
            boolean fresh = EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(2), 2_000);
            capture.stop();
            if (strict) {
                assertThat(failed).as("request on the open connection fails").isTrue();
                assertThat(fresh).as("a new connection fails").isFalse();
            }
            return capture;
        }
    }

    @Test
    void strictModeStopsTrafficToARemovedPeerAndNothingLeaks() throws Exception {
        String marker = marker();
        try (UnderlayCapture capture = markerAfterPeerRemoval(true, marker)) {
            assertThat(capture.contains(marker)).as("marker in clear").isFalse();
            assertThat(capture.stop())
                    .as("packets addressed to pods on the underlay")
                    .noneMatch(p -> p.dst().startsWith("10.210.") || p.src().startsWith("10.210."));
            assertThat(((UserspaceWireguardDataplane) dp(1)).strictDrops())
                    .as("strict-mode drops")
                    .isPositive();
        }
        // The guard covers a node whose key is merely missing (still in the state) too.
        MeshState keyless = withNode(state(wireguard(true)), "node-3", n -> n.withWireguardPublicKey(""));
        dp(1).apply(keyless);
        assertThat(EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(3), 2_000))
                .isFalse();
    }

    @Test
    void withoutStrictModeARemovedPeerLeaksInClear() throws Exception {
        // The control for the strict test: the underlay route takes over and the marker crosses in clear.
        String marker = marker();
        try (UnderlayCapture capture = markerAfterPeerRemoval(false, marker)) {
            assertThat(capture.contains(marker)).as("marker in clear").isTrue();
        }
    }

    @Test
    void keyRotationUnderContinuousTrafficFailsNoRequest() throws Exception {
        MeshState s = state(wireguard(true));
        applyAll(s);
        awaitReachable(1, 2);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicLong done = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread traffic = Thread.ofPlatform().start(() -> {
            // A request may wait out one handshake retry (REKEY_TIMEOUT, 5 s) plus TCP's retransmission back-off.
            try (EchoClient c = EchoClient.connect(topo.podNs(1), MeshTopology.podIp(2), 60_000)) {
                for (long i = 0; !stop.get(); i++) {
                    long t0 = System.nanoTime();
                    c.roundTrip("request-" + i);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    slowest.accumulateAndGet(ms, Math::max);
                    done.incrementAndGet();
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        try {
            assertThat(Await.until(() -> done.get() > 200, 30)).isTrue();
            WireguardKey old2 = dp(2).publicKey();
            WireguardKey old1 = dp(1).publicKey();
            // The server's node rotates first, then the client's: both ends of the session change keys.
            for (int node : List.of(2, 1)) {
                dp(node).rotateKey();
                MeshState rotated = state(wireguard(true));
                for (int i = 1; i <= NODES; i++) if (i != node) dp(i).apply(rotated);
                dp(node).apply(rotated);
                long mark = done.get();
                assertThat(Await.until(() -> done.get() > mark + 200 || !failures.isEmpty(), 60))
                        .as("traffic resumes")
                        .isTrue();
            }
            assertThat(dp(2).publicKey()).isNotEqualTo(old2);
            assertThat(dp(1).publicKey()).isNotEqualTo(old1);
            assertThat(dp(1).device().peer(old2)).isEmpty();
            assertThat(dp(1).device().peer(dp(2).publicKey()))
                    .get()
                    .satisfies(p -> assertThat(p.hasHandshake()).isTrue());
            assertThat(dp(2).device().peer(dp(1).publicKey()))
                    .get()
                    .satisfies(p -> assertThat(p.hasHandshake()).isTrue());
            Path keyFile = topo.options(2).get(io.nodemesh.wireguard.WireguardSettings.KEY_FILE);
            assertThat(PrivateKeyFile.load(keyFile).publicKey()).isEqualTo(dp(2).publicKey());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                    .isEqualTo("rw-------");
        } finally {
            stop.set(true);
            traffic.join();
        }
        System.out.println("key rotation: " + done.get() + " requests, slowest " + slowest.get() + " ms");
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(done.get()).isGreaterThan(600);
    }

    @Test
    void badInputIsRejectedNamingPeerAndFieldAndEveryPeerKeepsWorking() throws Exception {
        MeshState good = state(wireguard(true));
        applyAll(good);
        awaitReachable(1, 2);
        awaitReachable(1, 3);
        var peersBefore = dp(1).device().peers().stream()
                .map(p -> p.publicKey() + " " + p.lastHandshake())
                .toList();

        assertRejected(
                withNode(good, "node-3", n -> n.withWireguardPublicKey("not-a-key")),
                "nodes[node-3].wireguardPublicKey",
                "not a WireGuard key");
        assertRejected(
                withNode(
                        good,
                        "node-3",
                        n -> new Node(n.name(), n.addresses(), List.of("10.210.2.128/25"), n.wireguardPublicKey())),
                "nodes[node-3].podCidrs[0]",
                "overlaps the pod CIDR of node node-2");
        assertRejected(
                withNode(
                        good,
                        "node-3",
                        n -> new Node(n.name(), List.of("192.0.2.3"), n.podCidrs(), n.wireguardPublicKey())),
                "nodes[node-3].addresses[0]",
                "unreachable");
        assertRejected(
                withNode(
                        good,
                        "node-3",
                        n -> n.withWireguardPublicKey(dp(1).publicKey().base64())),
                "nodes[node-3].wireguardPublicKey",
                "public key of this node");

        assertThat(dp(1).state()).isEqualTo(good);
        assertThat(dp(1).device().peers().stream()
                        .map(p -> p.publicKey() + " " + p.lastHandshake())
                        .toList())
                .containsExactlyInAnyOrderElementsOf(peersBefore);
        awaitReachable(1, 2);
        awaitReachable(1, 3);
    }

    private void assertRejected(MeshState bad, String path, String reason) {
        assertThatThrownBy(() -> dp(1).apply(bad))
                .isInstanceOfSatisfying(
                        InvalidStateException.class,
                        e -> assertThat(e.violations()).anySatisfy(v -> {
                            assertThat(v.path()).isEqualTo(path);
                            assertThat(v.reason()).contains(reason);
                        }))
                .hasMessageContaining(path);
    }

    @Test
    void aFailureWhileProgrammingRollsBackAndThePreviousStateKeepsServing() throws Exception {
        MeshState twoNodes = withoutNode(state(wireguard(false)), "node-3");
        applyAll(twoNodes);
        awaitReachable(1, 2);
        // Sabotage from outside: without its address the interface cannot be the source of a new route, so adding
        // node-3's route fails after its peer was already set on the device.
        Commands.check("ip", "-n", topo.nodeNs(1), "address", "del", "10.210.1.254/32", "dev", topo.wgIface(1));
        assertThatThrownBy(() -> dp(1).apply(state(wireguard(false))))
                .isInstanceOf(io.nodemesh.api.ApplyException.class)
                .hasMessageContaining("peer node-3")
                .hasMessageContaining("podCidrs " + MeshTopology.podCidr(3))
                .hasMessageContaining("rolled back");
        assertThat(dp(1).device().peer(dp(3).publicKey()))
                .as("node-3 peer rolled back")
                .isEmpty();
        assertThat(dp(1).state()).isEqualTo(twoNodes);
        awaitReachable(1, 2);
    }

    @Test
    void closeDetachesAndUninstallRemovesProcessInterfaceSocketRoutesStrictTableAndFiles() {
        applyAll(state(wireguard(true)));
        String iface = topo.wgIface(1);
        String ns = topo.nodeNs(1);
        dp(1).close();
        // Detached: everything still in place and serving.
        assertThat(Commands.check("ip", "-n", ns, "route", "show", "dev", iface))
                .contains(MeshTopology.podCidr(2));
        assertThat(Commands.check("ip", "netns", "exec", ns, "nft", "list", "tables"))
                .contains(StrictModeFirewall.TABLE);
        assertThat(Commands.check("ip", "netns", "pids", ns)).isNotBlank();
        awaitReachable(1, 2);

        var report = WireguardDataplane.uninstall(topo.options(1).with("wireguard.keepalive", "5"));
        assertThat(report.removed())
                .anyMatch(r -> r.startsWith("wireguard-go process "))
                .contains(
                        "nft table inet " + StrictModeFirewall.TABLE,
                        "file /run/nodemesh/wireguard/" + iface + ".pid",
                        "file /run/nodemesh/wireguard/" + iface + ".log");
        assertThat(report.kept()).singleElement().asString().startsWith("key file ");
        assertThat(Commands.run("ip", "-n", ns, "link", "show", iface).exit()).isNotZero();
        assertThat(Path.of("/var/run/wireguard", iface + ".sock")).doesNotExist();
        assertThat(Path.of("/run/nodemesh/wireguard", iface + ".pid")).doesNotExist();
        assertThat(Path.of("/run/nodemesh/wireguard", iface + ".log")).doesNotExist();
        assertThat(Commands.check("ip", "netns", "pids", ns)).isBlank();
        assertThat(Commands.check("ip", "netns", "exec", ns, "nft", "list", "tables"))
                .doesNotContain(StrictModeFirewall.TABLE);
        assertThat(Commands.check("ip", "-n", ns, "route", "show", MeshTopology.podCidr(2)))
                .doesNotContain("metric 10 ");

        var again = WireguardDataplane.uninstall(topo.options(1));
        assertThat(again.nothingRemoved()).as("second uninstall: %s", again).isTrue();
        assertThat(again.toString()).contains("nothing to remove");
    }

    @Test
    void reopeningAdoptsTheRunningDeviceAndKeepsItsSessions() {
        MeshState s = state(wireguard(true));
        applyAll(s);
        awaitReachable(1, 2);
        WireguardKey key = dp(1).publicKey();
        PeerState before = dp(1).device().peer(dp(2).publicKey()).orElseThrow();
        dp(1).close();
        try (WireguardDataplane again = (WireguardDataplane)
                io.nodemesh.api.Dataplanes.open("wireguard", topo.options(1).with("wireguard.keepalive", "5"))) {
            assertThat(again.adopted()).isTrue();
            assertThat(again.publicKey()).isEqualTo(key);
            again.apply(s);
            PeerState after = again.device().peer(dp(2).publicKey()).orElseThrow();
            // Not removed and added again: the session and its counters carry on.
            assertThat(after.lastHandshake()).isEqualTo(before.lastHandshake());
            assertThat(after.txBytes()).isGreaterThanOrEqualTo(before.txBytes());
            awaitReachable(1, 2);
        }
    }

    @Test
    void firstApplyAfterAdoptionRemovesOnlyPeersNoLongerDesired() {
        MeshState all = state(wireguard(true));
        applyAll(all);
        awaitReachable(1, 2);
        PeerState before = dp(1).device().peer(dp(2).publicKey()).orElseThrow();
        dp(1).close();
        MeshState without3 = withoutNode(all, topo.nodeName(3));
        try (WireguardDataplane again = (WireguardDataplane)
                io.nodemesh.api.Dataplanes.open("wireguard", topo.options(1).with("wireguard.keepalive", "5"))) {
            assertThat(again.adopted()).isTrue();
            assertThat(again.device().peers()).as("nothing flushed on adoption").hasSize(2);
            again.apply(without3);
            assertThat(again.device().peer(dp(3).publicKey()))
                    .as("node-3's peer")
                    .isEmpty();
            assertThat(again.device().peer(dp(2).publicKey()).orElseThrow().lastHandshake())
                    .as("node-2's session untouched")
                    .isEqualTo(before.lastHandshake());
            assertThat(Commands.check("ip", "-n", topo.nodeNs(1), "route", "show", "dev", topo.wgIface(1)))
                    .contains(MeshTopology.podCidr(2))
                    .doesNotContain(MeshTopology.podCidr(3));
            assertThat(Commands.check("ip", "netns", "exec", topo.nodeNs(1), "nft", "list", "tables"))
                    .contains(StrictModeFirewall.TABLE);
            awaitReachable(1, 2);
            // Strict mode still guards node-3's CIDR (wireguard.strictCidrs): no clear path opens.
            assertThat(EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(3), 2000))
                    .isFalse();
        }
    }
}
