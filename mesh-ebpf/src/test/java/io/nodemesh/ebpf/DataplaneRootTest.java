package io.nodemesh.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.DataplaneFixture;
import io.nodemesh.ebpf.support.Netns;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.support.SockKeys;
import io.nodemesh.ebpf.support.SockKeys.SockKey;
import io.nodemesh.ebpf.support.TestCgroup;
import io.nodemesh.ebpf.testing.Pod;
import io.nodemesh.ebpf.testing.PodNetwork;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The eBPF dataplane on the real kernel: pods are network namespaces on a bridge, the programs attach at a test cgroup
 * this JVM moves into, so only the test's own sockets are seen. Pods a and b are on this node; pod c is declared on
 * node n2 and served by a process outside the test cgroup — as a socket on another node's kernel would be.
 */
@ExtendWith(BpfFdLeakCheck.class)
class DataplaneRootTest {
    /** The pods' addresses, given by the pod network (a free 10.200.X.0/24) once it is made. */
    static String A, B, C;

    static final String ID_A = "spiffe://cluster.local/ns/t/sa/a",
            ID_B = "spiffe://cluster.local/ns/t/sa/b",
            ID_C = "spiffe://cluster.local/ns/t/sa/c";

    private static PodNetwork pods;
    private DataplaneFixture fixture;
    private Bpf bpf;
    private TestCgroup cgroup;
    private Path pinRoot;

    @BeforeAll
    static void makePods() {
        pods = DataplaneFixture.podNetwork();
        if (pods == null) return;
        A = pods.addPod("a").ipv4();
        B = pods.addPod("b").ipv4();
        C = pods.addPod("c").ipv4();
    }

    @AfterAll
    static void removePods() {
        DataplaneFixture.removePodNetwork(pods);
    }

    @BeforeEach
    void setUp() {
        fixture = DataplaneFixture.prepare("dp");
        bpf = fixture.bpf();
        cgroup = fixture.cgroup();
        pinRoot = fixture.pinRoot();
    }

    @AfterEach
    void tearDown() {
        if (fixture != null) fixture.close();
    }

    private EbpfDataplane open(Map<String, String> extra) {
        return fixture.open(extra);
    }

    static MeshState state(Policy... policies) {
        var b = MeshState.builder()
                // c's address comes from the one pod network too: the dataplane places a workload by its node, not
                // by the node's pod CIDR, so n2 declares none (a declared one would have to hold c's address)
                .node(Node.of("n1", "192.168.50.1", pods.cidrV4()))
                .node(Node.builder("n2").address("192.168.50.2").build())
                .workload(pod("a", "n1", A, ID_A))
                .workload(pod("b", "n1", B, ID_B))
                .workload(pod("c", "n2", C, ID_C));
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    static Workload pod(String name, String node, String ip, String identity) {
        return new Workload(
                "t",
                name,
                node,
                List.of(ip),
                identity,
                Map.of("app", name),
                new Placement(podNamed(name).netnsPath().toString(), ""));
    }

    static Policy deny(String name, String from, String to) {
        return new Policy("t", name, PolicyAction.DENY, List.of(from), List.of(to), List.of(), List.of(), List.of());
    }

    private static ServerSocket listen(String pod, String ip, int port) throws Exception {
        return Netns.call(podNamed(pod).netns(), () -> new ServerSocket(port, 50, InetAddress.getByName(ip)));
    }

    private static Socket connect(String pod, String ip, int port) throws Exception {
        return Netns.call(podNamed(pod).netns(), () -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(ip, port), 5000);
            return s;
        });
    }

    static Pod podNamed(String name) {
        return pods.pods().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** Starts {@code command} as a process in pod {@code name}'s namespace, outside this JVM's (test) cgroup. */
    private static Process execIn(String name, String... command) throws IOException {
        return new ProcessBuilder(
                        io.nodemesh.netlab.Netns.named(podNamed(name).netns()).wrap(List.of(command)))
                .redirectErrorStream(true)
                .start();
    }

    private List<SockKey> sockets(EbpfDataplane dp) {
        return SockKeys.of(dp.installation().map("nm_sockhash"));
    }

    static io.nodemesh.api.BackendHealth.TableFill fill(EbpfDataplane dp, String map) {
        return dp.health().getFirst().tables().stream()
                .filter(t -> t.name().equals(map))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no table " + map + " in " + dp.health()));
    }

    @Test
    void sameNodePodsAreRedirectedAndTheKernelSaysSo() throws Exception {
        try (EbpfDataplane dp = open(Map.of());
                Bpf.RunStats stats = bpf.enableRunStats()) {
            dp.apply(state());
            List<FlowEvent> events = new CopyOnWriteArrayList<>();
            var subscription = dp.flows().subscribe(events::add);
            long msgRuns = dp.installation().program("nm_msg").info().runCount();
            cgroup.enter();
            try (ServerSocket server = listen("b", B, 8080);
                    Socket client = connect("a", B, 8080);
                    Socket accepted = server.accept()) {
                pingPong(client, accepted, 100);
                int clientPort = client.getLocalPort();
                assertThat(sockets(dp))
                        .as("both ends of a->b are in nm_sockhash while open")
                        .filteredOn(k -> k.between(A, clientPort, B, 8080))
                        .hasSize(2);
                assertThat(fill(dp, "nm_sockhash").entries())
                        .as("health counts the sockhash in the kernel")
                        .isGreaterThanOrEqualTo(2);
            } finally {
                cgroup.leave();
            }
            assertThat(dp.installation().program("nm_msg").info().runCount() - msgRuns)
                    .as("sk_msg ran for every message")
                    .isGreaterThanOrEqualTo(200);
            assertThat(sockets(dp)).as("closed sockets leave nm_sockhash").isEmpty();
            assertThat(fill(dp, "nm_sockhash").entries()).isZero();
            assertThat(fill(dp, "nm_ip_identity"))
                    .as("one entry per pod address, of the map's max_entries")
                    .satisfies(t -> assertThat(t.entries()).isGreaterThanOrEqualTo(3))
                    .satisfies(t -> assertThat(t.capacity())
                            .isEqualTo(dp.installation()
                                    .map("nm_ip_identity")
                                    .definition()
                                    .maxEntries()));
            assertThat(dp.health().getFirst().problems()).isEmpty();
            awaitEvents(events, e -> e.type() == FlowEvent.Type.REDIRECT);
            assertThat(events).anySatisfy(e -> {
                assertThat(e.type()).isEqualTo(FlowEvent.Type.REDIRECT);
                assertThat(e.path()).isEqualTo(FlowPath.SOCKET_REDIRECT);
                assertThat(e.source().workload()).isEqualTo("t/a");
                assertThat(e.destination().ip()).isEqualTo(B);
            });
            assertThat(dp.flows().stats().byPath().get(FlowPath.SOCKET_REDIRECT))
                    .as("counted in the flow stats")
                    .isPositive();
            assertThat(dp.flows().stats().lost()).isZero();
            subscription.close();
        }
    }

    @Test
    void crossNodeAndProxiedTrafficKeepsTheNormalPath() throws Exception {
        // c's server runs outside the attached cgroup: its socket is invisible to sockops, as on another node.
        Process echo = execIn("c", "python3", "-c", ECHO_SERVER, C, "9090");
        try (EbpfDataplane dp = open(Map.of("ebpf.proxyIp", B, "ebpf.proxyPort", "15001"))) {
            dp.apply(state());
            assertThat(echo.inputReader().readLine()).isEqualTo("ready");
            cgroup.enter();
            try (Socket client = connect("a", C, 9090)) {
                echoRoundTrips(client, 50);
                int port = client.getLocalPort();
                List<SockKey> keys = sockets(dp);
                assertThat(keys)
                        .as("a's socket is recorded")
                        .anyMatch(k -> k.localIp().equals(A) && k.localPort() == port);
                assertThat(keys)
                        .as("the remote peer is not on this node: nothing to redirect to")
                        .noneMatch(k -> k.localIp().equals(C));
            } finally {
                cgroup.leave();
            }
            cgroup.enter();
            try (ServerSocket proxy = listen("b", B, 15001);
                    Socket client = connect("a", B, 15001);
                    Socket accepted = proxy.accept()) {
                pingPong(client, accepted, 10);
                assertThat(sockets(dp))
                        .as("node proxy connections are never recorded")
                        .noneMatch(k -> k.localPort() == 15001 || k.remotePort() == 15001);
            } finally {
                cgroup.leave();
            }
        } finally {
            echo.destroy();
            echo.waitFor();
        }
    }

    @Test
    void deniedPairIsRefusedAndAPolicyChangeCutsARedirectedConnection() throws Exception {
        try (EbpfDataplane dp = open(Map.of())) {
            dp.apply(state(deny("no-a-to-b", ID_A, ID_B)));
            cgroup.enter();
            try (ServerSocket server = listen("b", B, 8081)) {
                assertThatThrownBy(() -> connect("a", B, 8081))
                        .as("connect4 refuses the denied pair")
                        .isInstanceOf(IOException.class);
                assertThat(sockets(dp)).as("a denied pair is never recorded").isEmpty();

                dp.apply(state());
                try (Socket client = connect("a", B, 8081);
                        Socket accepted = server.accept()) {
                    pingPong(client, accepted, 5);
                    assertThat(sockets(dp)).hasSize(2);
                    dp.apply(state(deny("no-a-to-b", ID_A, ID_B)));
                    // sk_msg re-decides on the new policy generation and drops: the send fails or nothing arrives.
                    boolean sendFailed = false;
                    try {
                        client.getOutputStream().write(new byte[64]);
                        client.getOutputStream().flush();
                    } catch (IOException e) {
                        sendFailed = true;
                    }
                    accepted.setSoTimeout(300);
                    boolean arrived;
                    try {
                        arrived = accepted.getInputStream().read() >= 0;
                    } catch (java.net.SocketTimeoutException e) {
                        arrived = false;
                    }
                    assertThat(sendFailed || !arrived)
                            .as("the message after the deny did not get through")
                            .isTrue();
                    assertThat(arrived).isFalse();
                }
            } finally {
                cgroup.leave();
            }
        }
    }

    @Test
    void aConnectionKeepsWorkingAcrossAnAgentRestart() throws Exception {
        EbpfDataplane first = open(Map.of());
        EbpfDataplane second = null;
        try {
            first.apply(state());
            cgroup.enter();
            try (ServerSocket server = listen("b", B, 8082);
                    Socket client = connect("a", B, 8082);
                    Socket accepted = server.accept()) {
                cgroup.leave();
                assertThat(sockets(first)).hasSize(2);
                int total = 1000;
                AtomicReference<Exception> senderFailure = new AtomicReference<>();
                // The sender never pauses: messages are in flight while the agent is closed and while it reopens.
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        DataOutputStream out = new DataOutputStream(client.getOutputStream());
                        for (int i = 0; i < total; i++) {
                            out.writeInt(i);
                            out.write(new byte[60]);
                            out.flush();
                            if (i % 100 == 0) Thread.sleep(1);
                        }
                    } catch (Exception e) {
                        senderFailure.set(e);
                    }
                });
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                for (int i = 0; i < total; i++) {
                    if (i == total / 4) {
                        first.close(); // the agent goes away: links and maps stay pinned
                        try (BpfMap pinned = bpf.openPinnedMap(pinRoot.resolve("nm_sockhash"))) {
                            assertThat(SockKeys.of(pinned))
                                    .as("no agent running, the sockets stay in the pinned sockhash")
                                    .hasSize(2);
                        }
                    }
                    if (i == total / 2) {
                        second = open(Map.of());
                        assertThat(second.installation().reattached()).isTrue();
                        assertThat(sockets(second))
                                .as("the open connection is still in the pinned sockhash")
                                .hasSize(2);
                        second.apply(state());
                    }
                    assertThat(in.readInt())
                            .as("message %d arrives in order", i)
                            .isEqualTo(i);
                    in.readNBytes(60);
                }
                sender.join();
                assertThat(senderFailure.get()).isNull();
            } finally {
                cgroup.leave();
            }
        } finally {
            first.close();
            if (second != null) second.close();
        }
    }

    @Test
    void uninstallRemovesEveryPinAndAttachment() throws Exception {
        try (EbpfDataplane dp = open(Map.of())) {
            dp.apply(state());
            assertThat(pinRoot.resolve("nm_sockhash")).exists();
            assertThat(pinRoot.resolve("links").resolve("nm_sockops")).exists();
            assertThat(attachedPrograms(cgroup.path())).contains("nm_sockops", "nm_connect4");
            dp.uninstall();
        }
        assertThat(pinRoot).doesNotExist();
        assertThat(attachedPrograms(cgroup.path())).doesNotContain("nm_sockops", "nm_connect4");
    }

    @Test
    void badPathsAreClearErrorsAndLeaveNothingBehind() {
        DataplaneOptions base = new DataplaneOptions("n1", Map.of()).with("ebpf.pinRoot", pinRoot.toString());
        Path missing = cgroup.path().resolve("missing");
        assertThatThrownBy(() -> EbpfDataplane.open(bpf, base.with("ebpf.cgroupRoot", missing.toString())))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining(missing.toString());
        assertThat(pinRoot).doesNotExist();
        Path notBpffs = Path.of("/tmp", RootSupport.PREFIX + "-pins", "nodemesh");
        assertThatThrownBy(() -> EbpfDataplane.open(
                        bpf,
                        base.with("ebpf.cgroupRoot", cgroup.path().toString())
                                .with("ebpf.pinRoot", notBpffs.toString())))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("not on bpffs");
        assertThat(notBpffs).doesNotExist();
    }

    @Test
    void pinnedMapsOfAnotherLayoutAreRefused() throws Exception {
        try (EbpfDataplane dp = open(Map.of())) {
            dp.apply(state());
        }
        try (BpfMap config = bpf.openPinnedMap(pinRoot.resolve("nm_config"))) {
            byte[] value = config.lookup(new byte[4]).orElseThrow();
            value[0] = 99; // layout_version
            config.put(new byte[4], value);
        }
        assertThatThrownBy(() -> open(Map.of()))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("layout version 99")
                .hasMessageContaining("uninstall");
        assertThat(attachedPrograms(cgroup.path())).contains("nm_sockops"); // the old installation is untouched
    }

    @Test
    void invalidStateIsRejectedBeforeTheKernelSeesIt() {
        try (EbpfDataplane dp = open(Map.of())) {
            dp.apply(state());
            var before = hex(dp.installation().map("nm_ip_identity"));
            MeshState bad = state().toBuilder()
                    .workload(pod("a", "n1", "10.200.0.9", "not-a-spiffe-id"))
                    .build();
            assertThatThrownBy(() -> dp.apply(bad)).isInstanceOf(InvalidStateException.class);
            assertThat(hex(dp.installation().map("nm_ip_identity")))
                    .isEqualTo(before)
                    .hasSize(3);
            assertThat(dp.state()).isEqualTo(state());
        }
    }

    static Map<String, String> hex(BpfMap map) {
        Map<String, String> out = new java.util.TreeMap<>();
        map.entries()
                .forEach(
                        (k, v) -> out.put(k.toString(), java.util.HexFormat.of().formatHex(v)));
        return out;
    }

    /** bpftool's list of programs attached at {@code cgroup}. */
    static String attachedPrograms(Path cgroup) throws Exception {
        Process p = new ProcessBuilder("bpftool", "cgroup", "show", cgroup.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    static void awaitEvents(List<FlowEvent> events, java.util.function.Predicate<FlowEvent> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (events.stream().noneMatch(wanted) && System.nanoTime() < deadline) Thread.sleep(10);
    }

    static void pingPong(Socket client, Socket server, int n) throws IOException {
        OutputStream co = client.getOutputStream(), so = server.getOutputStream();
        InputStream ci = client.getInputStream(), si = server.getInputStream();
        byte[] msg = new byte[64];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(msg, (byte) i);
            co.write(msg);
            assertThat(si.readNBytes(64)).isEqualTo(msg);
            so.write(msg);
            assertThat(ci.readNBytes(64)).isEqualTo(msg);
        }
    }

    static void echoRoundTrips(Socket client, int n) throws IOException {
        byte[] msg = new byte[64];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(msg, (byte) i);
            client.getOutputStream().write(msg);
            assertThat(client.getInputStream().readNBytes(64)).isEqualTo(msg);
        }
    }

    /** A one-connection echo server; prints "ready" once listening. */
    static final String ECHO_SERVER = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); print("ready", flush=True)
            c, _ = s.accept()
            while True:
                d = c.recv(65536)
                if not d: break
                c.sendall(d)
            """;
}
