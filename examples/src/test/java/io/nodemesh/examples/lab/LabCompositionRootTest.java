package io.nodemesh.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.contract.Privileges;
import io.nodemesh.examples.demo.ClusterShape;
import io.nodemesh.netlab.Netns;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 15, item 2: the composition a user deploys — one agent per node with {@code --backend ebpf,envoy,wireguard},
 * strict WireGuard, pods in their own namespaces and cgroups — in one small lab built once for the class: the demo's
 * state for 2 nodes and 10 services of one pod each (even services' pods on node-1, odd ones on node-2). Each outcome
 * is also asked of the simulator, with the same state and connection, and compared exactly (one backend per service
 * makes the backend deterministic). Nothing here checks a timing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabCompositionRootTest {
    static final ClusterShape SHAPE = new ClusterShape(2, 10, 1);
    static final long SEED = 1;
    static final int PORT = 80;

    private Lab lab;
    private SimPrediction sim;
    private MeshState original;

    @BeforeAll
    void startLab() throws Exception {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        Privileges.requireBinary("dumpcap", "wireshark-common");
        Privileges.requireBinary("nft", "nftables");
        Privileges.requireBinary("nsenter", "util-linux");
        Privileges.requireBinary("taskset", "util-linux");
        Privileges.require(Files.isDirectory(LabLeftovers.CGROUP2), "cgroup v2 not mounted at " + LabLeftovers.CGROUP2);
        for (String b : List.of("ebpf", "envoy", "wireguard")) {
            Availability a = Dataplanes.available().get(b);
            Privileges.require(a != null && a.isAvailable(), "the " + b + " backend is unavailable: " + a);
        }
        lab = Lab.start(new LabSpec(SHAPE, SEED, "nmlt"), line -> System.out.println("lab: " + line));
        original = lab.state();
        sim = new SimPrediction(original, SEED);
        System.out.println("lab: set up in " + lab.setupTime().toMillis() + " ms");
    }

    @AfterAll
    void removeLab() {
        if (sim != null) sim.close();
        if (lab == null) return;
        try {
            lab.close();
        } finally {
            assertThat(LabLeftovers.of(lab.prefix())).as("left behind").isEmpty();
        }
    }

    @Test
    void crossNodeVipGoesThroughStrictWireguardAndNothingCrossesInClear() throws Exception {
        LabPod client = pod(2); // node-1
        String vip = vip(1); // svc-01-0 on node-2
        SimPrediction.Predicted predicted =
                sim.tcp(client.workload(), client.node().name(), vip, PORT);

        UnderlayCapture capture = UnderlayCapture.start(lab);
        List<PcapFrame> frames;
        Outcome tcp;
        Outcome udp;
        try {
            tcp = Outcome.of(lab, PodCommand.Kind.tcp, From.pod(client), vip, PORT, 200, 512);
            udp = Outcome.of(lab, PodCommand.Kind.udp, From.pod(client), vip, PodServers.UDP_PORT, 50, 512);
            frames = capture.stop();
        } finally {
            capture.close();
        }

        assertThat(predicted)
                .isEqualTo(new SimPrediction.Predicted(Verdict.FORWARDED, FlowPath.ENCRYPTED_TUNNEL, "demo/svc-01-0"));
        assertThat(reached(tcp).backend()).as("TCP backend").isEqualTo("svc-01-0");
        assertThat(reached(udp).backend()).as("UDP backend").isEqualTo("svc-01-0");
        assertThat(sim.udp(client.workload(), client.node().name(), vip, PodServers.UDP_PORT, 512))
                .isEqualTo(new SimPrediction.Predicted(Verdict.FORWARDED, FlowPath.ENCRYPTED_TUNNEL, "demo/svc-01-0"));
        List<PcapFrame> traffic =
                frames.stream().filter(f -> !f.isLinkLocalMulticast()).toList();
        assertThat(traffic)
                .as("underlay frames while pods talked across nodes")
                .isNotEmpty()
                .allSatisfy(f ->
                        assertThat(f.isWireguard(LabNode.WG_PORT)).as("%s", f).isTrue());
        assertThat(capture.plaintextBytes(PodClient.MARKER))
                .as("payload bytes in clear on the underlay")
                .isZero();
        System.out.printf(
                "cross-node: %d underlay frames, all WireGuard UDP %d; 0 payload bytes in clear%n",
                traffic.size(), LabNode.WG_PORT);
    }

    @Test
    void sameNodeConnectionsAreSocketRedirectedPastTheVeth() {
        LabPod client = pod(2);
        LabPod server = pod(6); // both on node-1
        String vip = vip(6);
        long before = vethPackets(server);
        Outcome tcp = Outcome.of(lab, PodCommand.Kind.tcp, From.pod(client), vip, PORT, 500, 256);
        long packets = vethPackets(server) - before;

        assertThat(reached(tcp).backend()).isEqualTo("svc-06-0");
        assertThat(sim.tcp(client.workload(), client.node().name(), vip, PORT))
                .isEqualTo(new SimPrediction.Predicted(Verdict.FORWARDED, FlowPath.SOCKET_REDIRECT, "demo/svc-06-0"));
        assertThat(packets)
                .as("packets on the server pod's veth for 500 round trips: redirected, they skip it")
                .isLessThan(50);
        System.out.printf("same-node: 500 round trips, %d packets on the server's veth%n", packets);
    }

    @Test
    void policyDeniesAcrossNodesAndTheAgentReportsTheDrop() throws InterruptedException {
        LabPod client = pod(3); // node-2; svc-00 allows only svc-01 and svc-02
        String vip = vip(0); // svc-00-0 on node-1
        Outcome tcp = Outcome.of(lab, PodCommand.Kind.tcp, From.pod(client), vip, PORT, 1, 64);

        assertThat(tcp).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) tcp).reason())
                .as("the connect fails at once")
                .containsAnyOf("refused", "not permitted", "reset");
        assertThat(sim.tcp(client.workload(), client.node().name(), vip, PORT))
                .isEqualTo(new SimPrediction.Predicted(Verdict.DROPPED_POLICY, null, ""));
        // The agent prints flows as its ring-buffer reader delivers them: give the line a moment to arrive.
        Pattern drop = Pattern.compile("demo/svc-03-0 .*-> demo/svc-00 .*DROPPED_POLICY");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!drop.matcher(lab.agent("node-2").log()).find() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(lab.agent("node-2").log())
                .as("node-2's agent reports the drop")
                .containsPattern(drop);
        // An allowed caller across the same nodes still gets through.
        assertThat(reached(Outcome.of(lab, PodCommand.Kind.tcp, From.pod(pod(1)), vip, PORT, 1, 64))
                        .backend())
                .isEqualTo("svc-00-0");
    }

    @Test
    void l7RouteSplitsThroughTheNodeProxy() throws Exception {
        Assumptions.assumeTrue(lab.envoy().isPresent(), "not run: no envoy binary on PATH");
        MeshState split = lab.state().toBuilder()
                .route(HttpRoute.of("demo", "split-09", "demo/svc-09")
                        .rule(new HttpRouteRule(
                                List.of(),
                                List.of(
                                        new WeightedBackend("demo/svc-09", PodServers.HTTP_PORT, 1),
                                        new WeightedBackend("demo/svc-08", PodServers.HTTP_PORT, 1)),
                                Duration.ZERO,
                                RetryPolicy.NONE))
                        .build())
                .build();
        lab.apply(split);
        try {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                seen.add(reached(Outcome.of(
                                lab, PodCommand.Kind.http, From.pod(pod(2)), vip(9), PodServers.HTTP_PORT, 1, 0))
                        .backend());
            }
            assertThat(seen).containsExactlyInAnyOrder("svc-09-0", "svc-08-0");
        } finally {
            lab.apply(original);
        }
    }

    @Test
    void endpointChangeDuringTrafficMovesNewConnectionsWithNoneFailing() throws Exception {
        LabPod client = pod(2); // node-1
        String vip = vip(5); // svc-05-0 on node-2, moved to svc-08-0 on node-1
        PodHostProcess pods = lab.podHost(client.node().name());
        pods.sendOk(10, "loop-start", "move", client.name(), vip, PORT);
        MeshState moved = LabState.withBackends(original, "demo/svc-05", "svc-08");
        int atApply;
        LoopReport report;
        try {
            awaitConnections(pods, 20);
            lab.apply(moved);
            atApply = LoopReport.parse(pods.sendOk(10, "loop-peek", "move")).connections();
            awaitConnections(pods, atApply + 20);
        } finally {
            report = LoopReport.parse(pods.sendOk(60, "loop-stop", "move"));
        }
        try {
            assertThat(report.failures())
                    .as("failed connections: " + report.firstFailure())
                    .isZero();
            assertThat(report.runs()).extracting(LoopReport.Run::backend).containsExactly("svc-05-0", "svc-08-0");
            assertThat(report.runs().getFirst().count())
                    .as("connections to the old backend: none begun after every agent applied the move")
                    .isLessThanOrEqualTo(atApply + 1);
            sim.apply(moved);
            assertThat(sim.tcp(client.workload(), client.node().name(), vip, PORT))
                    .isEqualTo(
                            new SimPrediction.Predicted(Verdict.FORWARDED, FlowPath.SOCKET_REDIRECT, "demo/svc-08-0"));
            System.out.printf("endpoint change: %d connections, %s, 0 failed%n", report.connections(), report.runs());
        } finally {
            sim.apply(original);
            lab.apply(original);
        }
    }

    private static void awaitConnections(PodHostProcess pods, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // only ends a hung test
        while (LoopReport.parse(pods.sendOk(10, "loop-peek", "move")).connections() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("the connection loop stalled below " + n);
            Thread.sleep(20);
        }
    }

    private LabPod pod(int service) {
        return lab.pod(String.format("demo/svc-%02d-0", service));
    }

    private static String vip(int service) {
        return "10.96.0." + (service + 1);
    }

    private static PodClient.Result reached(Outcome o) {
        if (o instanceof Outcome.Reached(PodClient.Result r)) return r;
        throw new AssertionError("expected the exchange to succeed: " + o);
    }

    /** Packets both ways on the node side of {@code pod}'s veth, as the kernel counts them. */
    private static long vethPackets(LabPod pod) {
        Netns node = Netns.named(pod.node().netns());
        long n = 0;
        for (String counter : List.of("rx_packets", "tx_packets")) {
            n += Long.parseLong(node.execChecked("cat", "/sys/class/net/" + pod.veth() + "/statistics/" + counter)
                    .strip());
        }
        return n;
    }
}
