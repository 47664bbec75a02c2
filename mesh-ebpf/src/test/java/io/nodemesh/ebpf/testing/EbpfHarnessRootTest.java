package io.nodemesh.ebpf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.ConnectOutcome;
import io.nodemesh.contract.WorkloadSpec;
import io.nodemesh.ebpf.support.RootSupport;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel programs of bpf/ through the real dataplane and the contract harness: socket-level service load balancing
 * (v4, v6, v4-mapped, UDP), no-backend and policy refusals with their errnos, and the harness's own clean-up.
 */
class EbpfHarnessRootTest {
    private static final String WEB = "spiffe://cluster.local/ns/shop/sa/web";
    private static final String API = "spiffe://cluster.local/ns/shop/sa/api";

    private EbpfContractHarness harness;
    private Workload web;
    private List<Workload> apis;

    @BeforeEach
    void start() {
        RootSupport.requireBpf();
        harness = EbpfContractHarness.start();
        web = harness.startWorkload(
                new WorkloadSpec("shop", "web", EbpfContractHarness.NODE, WEB, Map.of("app", "web"), List.of(8080)));
        apis = List.of(
                harness.startWorkload(new WorkloadSpec(
                        "shop", "api-1", EbpfContractHarness.NODE, API, Map.of("app", "api"), List.of(9090))),
                harness.startWorkload(new WorkloadSpec(
                        "shop", "api-2", EbpfContractHarness.NODE, API, Map.of("app", "api"), List.of(9090))),
                harness.startWorkload(new WorkloadSpec(
                        "shop", "api-3", EbpfContractHarness.NODE, API, Map.of("app", "api"), List.of(9090))));
    }

    @AfterEach
    void stop() {
        if (harness != null) harness.close();
        RootSupport.cleanUp();
    }

    private MeshState state(LoadBalancing lb, Policy... policies) {
        var b = MeshState.builder();
        harness.nodes().forEach(b::node);
        b.workload(web);
        apis.forEach(b::workload);
        b.service(new Service(
                "shop",
                "api",
                List.of("10.96.0.10", "fd00:96::10"),
                List.of(ServicePort.tcp(80, 9090), new ServicePort("udp", 80, 9090, Protocol.UDP)),
                List.of(),
                Map.of("app", "api"),
                lb,
                SessionAffinity.NONE,
                ServiceLayer.L4));
        b.service(new Service(
                "shop",
                "empty",
                List.of("10.96.0.11"),
                List.of(ServicePort.tcp(80, 9090)),
                List.of(new Endpoint(apis.get(0).ips().get(0), "shop/api-1", EndpointState.TERMINATING)),
                Map.of(),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4));
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    private Set<String> reached(Pod from, String ip, int port, int times) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < times; i++) {
            ConnectOutcome o = from.connect(ip, port);
            assertThat(o).as("connect %s:%d from %s", ip, port, from).isInstanceOf(ConnectOutcome.Reached.class);
            seen.add(((ConnectOutcome.Reached) o).workload());
        }
        return seen;
    }

    @Test
    void vipConnectsAreTranslatedToEveryBackendInTurn() {
        harness.dataplane().apply(state(LoadBalancing.ROUND_ROBIN));
        Pod pod = harness.pod("shop/web");
        Set<String> all = Set.of("shop/api-1", "shop/api-2", "shop/api-3");
        assertThat(reached(pod, "10.96.0.10", 80, 6)).isEqualTo(all); // Java: v6 socket, v4-mapped VIP
        assertThat(reached(pod, "fd00:96::10", 80, 6)).isEqualTo(all); // v6 VIP, v6 backends
        assertThat(Clients.tcp("10.96.0.10", 80)).isInstanceOf(ConnectOutcome.Reached.class); // a host process
        // an AF_INET socket of a separate process in the pod's cgroup (connect4)
        assertThat(pod.connectFromProcess("10.96.0.10", 80)).isInstanceOf(ConnectOutcome.Reached.class);
        assertThat(pod.sendUdp("10.96.0.10", 80)).isInstanceOf(ConnectOutcome.Reached.class); // sendmsg + recvmsg
    }

    /** recvmsg and getpeername show the application the VIP it addressed, not the backend it reached. */
    @Test
    void applicationsSeeTheVipAsTheirPeer() throws Exception {
        harness.dataplane().apply(state(LoadBalancing.RANDOM));
        Pod pod = harness.pod("shop/web");
        String replyFrom = pod.thread().call(() -> {
            try (var s = new java.net.DatagramSocket()) {
                s.setSoTimeout(3000);
                byte[] hello = "hi".getBytes();
                s.send(new java.net.DatagramPacket(
                        hello, hello.length, java.net.InetAddress.ofLiteral("10.96.0.10"), 80));
                var reply = new java.net.DatagramPacket(new byte[256], 256);
                s.receive(reply);
                return reply.getAddress().getHostAddress() + ":" + reply.getPort();
            }
        });
        assertThat(replyFrom).isIn("10.96.0.10:80", "::ffff:10.96.0.10:80");

        io.nodemesh.contract.Privileges.requireBinary("python3", "python3");
        Shell.Result peer = pod.exec(
                "python3",
                "-c",
                "import socket; s = socket.create_connection(('10.96.0.10', 80), 3); print('%s:%d' % s.getpeername()); print(s.recv(100).decode().strip())");
        assertThat(peer.ok()).as(peer.output()).isTrue();
        assertThat(peer.output().lines().toList().getFirst())
                .isEqualTo("10.96.0.10:80"); // not the backend's 10.200.x.y:9090
        assertThat(peer.output().lines().toList().get(1)).startsWith("shop/api-");
    }

    @Test
    void aServiceWithoutReadyBackendsRefusesAtOnce() {
        harness.dataplane().apply(state(LoadBalancing.RANDOM));
        assertThat(harness.pod("shop/web").connect("10.96.0.11", 80))
                .isEqualTo(new ConnectOutcome.Failed("ECONNREFUSED"));
    }

    @Test
    void aDenyPolicyRefusesTheConnect() {
        harness.dataplane()
                .apply(state(
                        LoadBalancing.RANDOM,
                        new Policy(
                                "shop",
                                "no-web",
                                PolicyAction.DENY,
                                List.of(WEB),
                                List.of(API),
                                List.of(),
                                List.of(),
                                List.of())));
        Pod pod = harness.pod("shop/web");
        assertThat(pod.connect("10.96.0.10", 80)).isEqualTo(new ConnectOutcome.Failed("EPERM"));
        assertThat(pod.connect(apis.get(0).ips().get(0), 9090)).isEqualTo(new ConnectOutcome.Failed("EPERM"));
        // the host is not denied
        assertThat(Clients.tcp("10.96.0.10", 80)).isInstanceOf(ConnectOutcome.Reached.class);
    }

    @Test
    void maglevAndAffinityStillReachReadyBackends() {
        MeshState s = state(LoadBalancing.MAGLEV)
                .withService("shop/api", svc -> svc.withAffinity(SessionAffinity.clientIp(Duration.ofMinutes(5))));
        harness.dataplane().apply(s);
        Set<String> seen = reached(harness.pod("shop/web"), "10.96.0.10", 80, 5);
        assertThat(seen).hasSize(1); // affinity: one client pod, one backend
    }
}
