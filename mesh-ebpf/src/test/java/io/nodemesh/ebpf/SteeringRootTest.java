package io.nodemesh.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.DataplaneFixture;
import io.nodemesh.ebpf.support.Netns;
import io.nodemesh.ebpf.support.RawTcp;
import io.nodemesh.ebpf.support.RawTcp.OriginalDst;
import io.nodemesh.ebpf.support.SockKeys;
import io.nodemesh.ebpf.support.SockKeys.SockKey;
import io.nodemesh.ebpf.support.TestCgroup;
import io.nodemesh.ebpf.testing.Pod;
import io.nodemesh.ebpf.testing.PodNetwork;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Original-destination steering on the real kernel: a client pod connects to an L7 service's VIP, connect4/6 steer it
 * to the node proxy (a raw-socket stand-in in pod "sp", inside the attached cgroup like a real node proxy), and the
 * proxy asks {@code getsockopt(SOL_IP, SO_ORIGINAL_DST)} / {@code getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST)} on the
 * accepted socket, as Envoy's {@code original_dst} listener filter does: it must get the VIP:port the client dialled.
 * Sockets that were not steered (a direct connection to the proxy, a plain service's backend) must get the kernel's
 * own answer, the one the same call gives with no nodemesh program attached.
 */
@ExtendWith(BpfFdLeakCheck.class)
class SteeringRootTest {
    /** The pods' addresses, given by the pod network (a free 10.200.X.0/24) once it is made. */
    static String CLIENT, BACKEND, PROXY;

    static final String L7_VIP = "10.96.7.7", PLAIN_VIP = "10.96.7.8";
    static final int PROXY_PORT = 15001, BACKEND_PORT = 8080, VIP_PORT = 80;

    private static PodNetwork pods;
    private DataplaneFixture fixture;
    private Bpf bpf;
    private TestCgroup cgroup;
    private Path pinRoot;
    private final List<Integer> fds = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void makePods() {
        pods = DataplaneFixture.podNetwork();
        if (pods == null) return;
        CLIENT = pods.addPod("sc").ipv4();
        BACKEND = pods.addPod("sb").ipv4();
        PROXY = pods.addPod("sp").ipv4();
    }

    @AfterAll
    static void removePods() {
        DataplaneFixture.removePodNetwork(pods);
    }

    @BeforeEach
    void setUp() {
        fixture = DataplaneFixture.prepare("steer");
        bpf = fixture.bpf();
        cgroup = fixture.cgroup();
        pinRoot = fixture.pinRoot();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) s.close();
        for (int fd : fds) RawTcp.close(fd);
        if (fixture != null) fixture.close();
    }

    private EbpfDataplane open() {
        return open(Map.of());
    }

    private EbpfDataplane open(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(extra);
        options.put("ebpf.proxyAddress", PROXY);
        options.put("ebpf.proxyPort", Integer.toString(PROXY_PORT));
        return fixture.open(options);
    }

    static MeshState state() {
        return MeshState.builder()
                .node(Node.of("n1", "192.168.50.1", pods.cidrV4()))
                .workload(pod("sc", CLIENT, "spiffe://cluster.local/ns/t/sa/client"))
                .workload(pod("sb", BACKEND, "spiffe://cluster.local/ns/t/sa/backend"))
                .service(service("web", L7_VIP, true))
                .service(service("plain", PLAIN_VIP, false))
                .build();
    }

    static Service service(String name, String vip, boolean l7) {
        return new Service(
                "t",
                name,
                List.of(vip),
                List.of(ServicePort.tcp(VIP_PORT, BACKEND_PORT)),
                List.of(Endpoint.ready(BACKEND, "t/sb")),
                Map.of(),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                l7 ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    static Workload pod(String name, String ip, String identity) {
        return new Workload(
                "t",
                name,
                "n1",
                List.of(ip),
                identity,
                Map.of("app", name),
                new Placement(podNamed(name).netnsPath().toString(), ""));
    }

    private int listen(String pod, int family, String ip, int port) throws Exception {
        int fd = Netns.call(podNamed(pod).netns(), () -> RawTcp.listen(family, ip, port));
        fds.add(fd);
        return fd;
    }

    static Pod podNamed(String name) {
        return pods.pods().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private int accept(int listener) {
        int fd = RawTcp.accept(listener);
        fds.add(fd);
        return fd;
    }

    /** A java.net client in the client pod: a dual-stack socket, so the v4 VIP goes through connect6 v4-mapped. */
    private Socket connect(String ip, int port) throws Exception {
        Socket s = Netns.call(podNamed("sc").netns(), () -> {
            Socket c = new Socket();
            c.connect(new InetSocketAddress(ip, port), 5000);
            return c;
        });
        sockets.add(s);
        return s;
    }

    /** What the kernel alone answers for a direct connection to the proxy, before any nodemesh program is attached. */
    private OriginalDst kernelAnswerWithoutNodemesh() throws Exception {
        cgroup.enter();
        try {
            int listener = listen("sp", RawTcp.AF_INET, PROXY, PROXY_PORT);
            connect(PROXY, PROXY_PORT);
            OriginalDst answer = RawTcp.originalDst(accept(listener), RawTcp.SOL_IP);
            // ENOPROTOOPT without conntrack, ENOENT for an untracked socket; with conntrack tracking it, its own
            // address
            if (answer instanceof OriginalDst.Failed f) {
                assertThat(f.errno())
                        .as("the kernel's own SO_ORIGINAL_DST error")
                        .isIn(RawTcp.ENOENT, RawTcp.ENOPROTOOPT);
            }
            return answer;
        } finally {
            cgroup.leave();
            for (int fd : fds) RawTcp.close(fd);
            fds.clear();
        }
    }

    /** The kernel's answer for a socket whose own destination (seen from the server) is {@code local}. */
    private static OriginalDst kernelAnswer(OriginalDst baseline, String ip, int port) {
        return baseline instanceof OriginalDst.Failed
                ? baseline
                : new OriginalDst.Address(new InetSocketAddress(ip, port));
    }

    private List<SockKey> origDstEntries(EbpfDataplane dp) {
        return SockKeys.of(dp.installation().map("nm_orig_dst"));
    }

    @Test
    void anIpv4ProxyLearnsTheVipOfASteeredConnectionAndOtherSocketsKeepTheKernelsAnswer() throws Exception {
        OriginalDst baseline = kernelAnswerWithoutNodemesh();
        InetSocketAddress vip = new InetSocketAddress(L7_VIP, VIP_PORT);
        try (EbpfDataplane dp = open()) {
            dp.apply(state());
            cgroup.enter();
            try {
                int proxy = listen("sp", RawTcp.AF_INET, PROXY, PROXY_PORT);
                int backend = listen("sb", RawTcp.AF_INET, BACKEND, BACKEND_PORT);

                Socket steered = connect(L7_VIP, VIP_PORT);
                int accepted = accept(proxy); // the connection to the VIP arrived at the proxy: connect6 steered it
                assertThat(RawTcp.originalDst(accepted, RawTcp.SOL_IP))
                        .as("SO_ORIGINAL_DST on the proxy's socket")
                        .isEqualTo(new OriginalDst.Address(vip));
                assertThat(RawTcp.originalDst(accepted, RawTcp.SOL_IPV6))
                        .as("IP6T_SO_ORIGINAL_DST gives the VIP v4-mapped")
                        .isEqualTo(new OriginalDst.Address(vip));
                assertThat(origDstEntries(dp))
                        .as("filed under the 4-tuple the proxy sees")
                        .containsExactly(new SockKey(PROXY, PROXY_PORT, CLIENT, steered.getLocalPort()));

                // A proxy forwards on what it learned; here it tells the client, which proves the pair is one
                // connection.
                RawTcp.write(accepted, (L7_VIP + ":" + VIP_PORT + "\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(steered.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo(L7_VIP + ":" + VIP_PORT);
                assertThat(steered.getRemoteSocketAddress())
                        .as("the client still sees the VIP as its peer")
                        .isEqualTo(vip);

                Socket direct = connect(PROXY, PROXY_PORT); // to the proxy by its own address: not steered
                int directAccepted = accept(proxy);
                assertThat(RawTcp.originalDst(directAccepted, RawTcp.SOL_IP))
                        .as("a direct connection gets the kernel's answer")
                        .isEqualTo(kernelAnswer(baseline, PROXY, PROXY_PORT));

                connect(PLAIN_VIP, VIP_PORT); // an L4 service: translated straight to the backend, never to the proxy
                int backendAccepted = accept(backend);
                assertThat(RawTcp.originalDst(backendAccepted, RawTcp.SOL_IP))
                        .as("an L4 service's backend gets the kernel's answer")
                        .isEqualTo(kernelAnswer(baseline, BACKEND, BACKEND_PORT));
                assertThat(origDstEntries(dp))
                        .as("only the steered connection is filed")
                        .hasSize(1);

                // When the connection is gone, so is its entry (removed at the proxy socket's close).
                steered.close();
                RawTcp.close(accepted);
                fds.remove(Integer.valueOf(accepted));
                direct.close();
                awaitEmpty(dp);
            } finally {
                cgroup.leave();
            }
        }
    }

    @Test
    void aDualStackProxyLearnsTheVipWithIp6tSoOriginalDst() throws Exception {
        InetSocketAddress vip = new InetSocketAddress(L7_VIP, VIP_PORT);
        try (EbpfDataplane dp = open()) {
            dp.apply(state());
            cgroup.enter();
            try {
                int proxy = listen("sp", RawTcp.AF_INET6, "::", PROXY_PORT); // Envoy's default: [::] with v4 mapped
                Socket first = connect(L7_VIP, VIP_PORT);
                Socket second = connect(L7_VIP, VIP_PORT);
                int a1 = accept(proxy);
                int a2 = accept(proxy);
                assertThat(RawTcp.originalDst(a1, RawTcp.SOL_IPV6)).isEqualTo(new OriginalDst.Address(vip));
                assertThat(RawTcp.originalDst(a2, RawTcp.SOL_IPV6)).isEqualTo(new OriginalDst.Address(vip));
                assertThat(RawTcp.originalDst(a1, RawTcp.SOL_IP)).isEqualTo(new OriginalDst.Address(vip));
                assertThat(origDstEntries(dp))
                        .as("one entry per steered connection")
                        .containsExactlyInAnyOrder(
                                new SockKey(PROXY, PROXY_PORT, CLIENT, first.getLocalPort()),
                                new SockKey(PROXY, PROXY_PORT, CLIENT, second.getLocalPort()));
            } finally {
                cgroup.leave();
            }
        }
    }

    @Test
    void withAProxyCgroupTheProxysOwnConnectionsReachABackendAndOnlyItsSocketsRunTheGetsockoptHook() throws Exception {
        InetSocketAddress vip = new InetSocketAddress(L7_VIP, VIP_PORT);
        // the proxy's cgroup sits below the attached one, so the connect/sockops programs run for its sockets too
        try (TestCgroup proxyCgroup = TestCgroup.create("steer/proxy");
                EbpfDataplane dp =
                        open(Map.of("ebpf.proxyCgroup", proxyCgroup.path().toString()));
                Bpf.RunStats stats = bpf.enableRunStats()) {
            dp.apply(state());
            var hook = dp.installation().program("nm_orig_dst_get");
            try {
                cgroup.enter();
                int backend = listen("sb", RawTcp.AF_INET, BACKEND, BACKEND_PORT);
                proxyCgroup
                        .enter(); // the proxy's listener, and so the sockets it accepts, belong to the proxy's cgroup
                int proxy = listen("sp", RawTcp.AF_INET, PROXY, PROXY_PORT);
                Socket upstream = connect(L7_VIP, VIP_PORT); // as Envoy's ORIGINAL_DST passthrough would
                proxyCgroup.leave();
                cgroup.enter();
                accept(backend); // connect() returned, so the connection waits at whichever listener it reached
                Socket again = connect(L7_VIP, VIP_PORT);
                int atProxy = accept(proxy); // the connection from outside the proxy's cgroup: steered
                assertThat(RawTcp.originalDst(atProxy, RawTcp.SOL_IP)).isEqualTo(new OriginalDst.Address(vip));
                assertThat(origDstEntries(dp))
                        .as("only the steered connection is filed")
                        .containsExactly(new SockKey(PROXY, PROXY_PORT, CLIENT, again.getLocalPort()));
                assertThatThrownBy(() -> RawTcp.accept(proxy))
                        .as("the proxy's own connection did not come back to it")
                        .hasMessageContaining("no connection is waiting");
                assertThat(upstream.getRemoteSocketAddress()).isEqualTo(vip);

                // the getsockopt hook is attached at the proxy's cgroup only: other sockets never run it
                Socket toBackend = connect(BACKEND, BACKEND_PORT);
                int atBackend = accept(backend);
                long runs = hook.info().runCount();
                RawTcp.originalDst(atBackend, RawTcp.SOL_IP);
                assertThat(hook.info().runCount())
                        .as("a socket outside the proxy's cgroup")
                        .isEqualTo(runs);
                RawTcp.originalDst(atProxy, RawTcp.SOL_IP);
                assertThat(hook.info().runCount()).as("the proxy's socket").isEqualTo(runs + 1);
                toBackend.close();
            } finally {
                proxyCgroup.leave();
                cgroup.leave();
            }
        }
    }

    @Test
    void aProxyCgroupThatIsNotACgroupIsRefusedWithItsName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        open(Map.of("ebpf.proxyCgroup", "/nonexistent/envoy")).close())
                .hasMessageContaining("ebpf.proxyCgroup = /nonexistent/envoy is not a cgroup-v2 directory");
        assertThat(pinRoot).as("checked before anything was pinned or attached").doesNotExist();
    }

    /** Closing is asynchronous (FIN/ACK exchange on the veth): wait for the kernel to reach TCP_CLOSE. */
    private void awaitEmpty(EbpfDataplane dp) throws InterruptedException {
        for (int i = 0; i < 100 && !origDstEntries(dp).isEmpty(); i++) Thread.sleep(50);
        assertThat(origDstEntries(dp))
                .as("nm_orig_dst after the steered connection closed")
                .isEmpty();
    }
}
