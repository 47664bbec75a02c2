package io.nodemesh.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.DataplaneFixture;
import io.nodemesh.ebpf.support.Netns;
import io.nodemesh.ebpf.support.SockKeys;
import io.nodemesh.ebpf.support.SockKeys.SockKey;
import io.nodemesh.ebpf.support.TestCgroup;
import io.nodemesh.ebpf.testing.Pod;
import io.nodemesh.ebpf.testing.PodNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connections established before the dataplane opens (bpf/backfill.bpf.c): two same-node pods connected, a loopback
 * connection of no pod, and the same two pods connected by sockets made outside the attach cgroup, all before any
 * program is attached; after open and the first apply the first connection is in {@code nm_sockhash} from both ends,
 * its messages pass through sk_msg (which redirects exactly the sockets whose peer is in the map) and it keeps
 * working; the other two are left alone, as sockops would have left them.
 */
@ExtendWith(BpfFdLeakCheck.class)
class BackfillRootTest {
    private static String a, b;
    private static PodNetwork pods;
    private DataplaneFixture fixture;
    private Bpf bpf;
    private TestCgroup cgroup;

    @BeforeAll
    static void makePods() {
        pods = DataplaneFixture.podNetwork();
        if (pods == null) return;
        a = pods.addPod("a").ipv4();
        b = pods.addPod("b").ipv4();
    }

    @AfterAll
    static void removePods() {
        DataplaneFixture.removePodNetwork(pods);
    }

    @BeforeEach
    void setUp() {
        fixture = DataplaneFixture.prepare("bf");
        bpf = fixture.bpf();
        cgroup = fixture.cgroup();
    }

    @AfterEach
    void tearDown() {
        if (fixture != null) fixture.close();
    }

    private EbpfDataplane open() {
        return fixture.open(Map.of());
    }

    private static MeshState state() {
        return MeshState.builder()
                .node(Node.of("n1", "192.168.50.1", pods.cidrV4()))
                .workload(pod("a", a))
                .workload(pod("b", b))
                .build();
    }

    private static Workload pod(String name, String ip) {
        return new Workload(
                "t",
                name,
                "n1",
                List.of(ip),
                "spiffe://cluster.local/ns/t/sa/" + name,
                Map.of("app", name),
                new Placement(podNamed(name).netnsPath().toString(), ""));
    }

    private static Pod podNamed(String name) {
        return pods.pods().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void connectionsOfPodsOpenedBeforeTheDataplaneJoinTheSockhashAndOthersDoNot() throws Exception {
        // made before this thread enters the attach cgroup: outside the dataplane's scope
        try (ServerSocket outsideServer = Netns.call(podNamed("b").netns(), () -> new ServerSocket(8091, 50, addr(b)));
                Socket outsideClient = Netns.call(podNamed("a").netns(), () -> connect(b, 8091));
                Socket outsideAccepted = outsideServer.accept()) {
            cgroup.enter();
            try {
                insideTheCgroup(outsideClient.getLocalPort());
            } finally {
                cgroup.leave();
            }
        }
    }

    private void insideTheCgroup(int outsidePort) throws Exception {
        try (ServerSocket server = Netns.call(podNamed("b").netns(), () -> new ServerSocket(8090, 50, addr(b)));
                Socket client = Netns.call(podNamed("a").netns(), () -> connect(b, 8090));
                Socket accepted = server.accept();
                ServerSocket loopServer = new ServerSocket(0, 50, addr("127.0.0.1"));
                Socket loopClient = connect("127.0.0.1", loopServer.getLocalPort());
                Socket loopAccepted = loopServer.accept()) {
            DataplaneRootTest.pingPong(client, accepted, 10); // established, before any program exists
            int clientPort = client.getLocalPort();
            try (EbpfDataplane dp = open();
                    Bpf.RunStats stats = bpf.enableRunStats()) {
                assertThat(sockets(dp))
                        .as("nothing passed sockops: the sockhash is empty")
                        .isEmpty();
                dp.apply(state());
                assertThat(sockets(dp))
                        .as("both ends of the pods' connection were added, and only those")
                        .filteredOn(k -> k.between(a, clientPort, b, 8090))
                        .hasSize(2);
                assertThat(sockets(dp))
                        .as("the pods' connection made outside the attach cgroup is not the dataplane's")
                        .noneMatch(k -> k.between(a, outsidePort, b, 8091));
                assertThat(sockets(dp))
                        .as("the loopback connection belongs to no pod")
                        .noneMatch(k -> k.localIp().equals("127.0.0.1"))
                        .hasSize(2);
                assertThat(dp.backfillStats().unavailable()).isEmpty();
                assertThat(dp.backfillStats().added()).isEqualTo(2);

                long msgRuns = dp.installation().program("nm_msg").info().runCount();
                DataplaneRootTest.pingPong(client, accepted, 100);
                assertThat(dp.installation().program("nm_msg").info().runCount() - msgRuns)
                        .as("sk_msg ran for every message of the pre-existing connection: it takes the redirect")
                        .isGreaterThanOrEqualTo(200);
                long loopRuns = dp.installation().program("nm_msg").info().runCount();
                DataplaneRootTest.pingPong(loopClient, loopAccepted, 10);
                assertThat(dp.installation().program("nm_msg").info().runCount())
                        .as("the loopback connection keeps the kernel stack")
                        .isEqualTo(loopRuns);

                dp.apply(state());
                assertThat(dp.backfillStats().added())
                        .as("a later apply walks no namespace twice")
                        .isEqualTo(2);
                client.close();
                accepted.close();
                assertThat(sockets(dp)).as("closed sockets leave nm_sockhash").isEmpty();
                assertThat(SockKeys.of(dp.installation().map("nm_sock_info")))
                        .as("and nm_sock_info: the backfill asked for the close callback")
                        .noneMatch(k -> k.between(a, clientPort, b, 8090));
            }
        }
    }

    private static List<SockKey> sockets(EbpfDataplane dp) {
        return SockKeys.of(dp.installation().map("nm_sockhash"));
    }

    private static InetAddress addr(String ip) {
        return InetAddress.ofLiteral(ip);
    }

    private static Socket connect(String ip, int port) throws java.io.IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(addr(ip), port), 5000);
        return s;
    }
}
