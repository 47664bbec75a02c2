package io.nodemesh.ebpf.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.WorkloadSpec;
import io.nodemesh.ebpf.support.RootSupport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connected UDP sockets and removed backends, on the real kernel: a socket a client pod connected to a UDP VIP is
 * translated once; when an apply removes its backend, the dataplane's iter/udp program destroys it
 * ({@code bpf_sock_destroy}), the application's next exchange fails, and connecting again reaches a live backend.
 * Sockets pinned to backends that stay, and sockets connected straight to the removed pod, are left alone.
 */
class UdpReapRootTest {
    private static final String VIP = "10.96.0.53";
    private static final int PORT = 53, TARGET = 9053;

    private EbpfContractHarness harness;
    private Workload client;
    private List<Workload> backends;

    @BeforeEach
    void start() {
        RootSupport.requireBpf();
        harness = EbpfContractHarness.start();
        client = harness.startWorkload(new WorkloadSpec(
                "dns",
                "client",
                EbpfContractHarness.NODE,
                "spiffe://cluster.local/ns/dns/sa/client",
                Map.of("app", "client"),
                List.of()));
        backends = List.of(
                harness.startWorkload(new WorkloadSpec(
                        "dns",
                        "resolver-1",
                        EbpfContractHarness.NODE,
                        "spiffe://cluster.local/ns/dns/sa/resolver",
                        Map.of("app", "resolver"),
                        List.of(TARGET))),
                harness.startWorkload(new WorkloadSpec(
                        "dns",
                        "resolver-2",
                        EbpfContractHarness.NODE,
                        "spiffe://cluster.local/ns/dns/sa/resolver",
                        Map.of("app", "resolver"),
                        List.of(TARGET))));
    }

    @AfterEach
    void stop() {
        if (harness != null) harness.close();
        RootSupport.cleanUp();
    }

    private MeshState state(List<Workload> serving) {
        var b = MeshState.builder();
        harness.nodes().forEach(b::node);
        b.workload(client);
        backends.forEach(b::workload);
        b.service(new Service(
                "dns",
                "resolver",
                List.of(VIP),
                List.of(new ServicePort("dns", PORT, TARGET, Protocol.UDP)),
                serving.stream()
                        .map(w -> Endpoint.ready(w.ips().get(0), w.key()))
                        .toList(),
                Map.of(),
                LoadBalancing.ROUND_ROBIN,
                SessionAffinity.NONE,
                ServiceLayer.L4));
        return b.build();
    }

    private io.nodemesh.ebpf.UdpReapStats stats() {
        return ((io.nodemesh.ebpf.EbpfDataplane) harness.dataplane()).udpReapStats();
    }

    /** One request/answer on a connected socket: the answering workload's key. */
    private static String exchange(DatagramSocket s) throws IOException {
        byte[] hello = "q\n".getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(hello, hello.length));
        DatagramPacket reply = new DatagramPacket(new byte[256], 256);
        s.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).strip();
    }

    private static DatagramSocket connected(String ip, int port) throws IOException {
        DatagramSocket s = new DatagramSocket();
        s.setSoTimeout(3000);
        s.connect(new InetSocketAddress(InetAddress.ofLiteral(ip), port));
        return s;
    }

    @Test
    void socketsPinnedToARemovedBackendAreDestroyedAndReconnectToALiveOne() {
        harness.dataplane().apply(state(backends));
        assertThat(stats().unavailable()).as("reaping availability").isEmpty();
        Pod pod = harness.pod(client.key());
        pod.thread().call(() -> {
            // Round-robin per socket: a few connects give sockets on both backends.
            List<DatagramSocket> sockets = new ArrayList<>();
            try {
                DatagramSocket onFirst = null, onSecond = null;
                for (int i = 0; i < 6 && (onFirst == null || onSecond == null); i++) {
                    DatagramSocket s = connected(VIP, PORT);
                    sockets.add(s);
                    String who = exchange(s);
                    if (who.equals(backends.get(0).key()) && onFirst == null) onFirst = s;
                    if (who.equals(backends.get(1).key()) && onSecond == null) onSecond = s;
                }
                assertThat(onFirst).as("a socket translated to resolver-1").isNotNull();
                assertThat(onSecond).as("a socket translated to resolver-2").isNotNull();
                // Straight to the pod, no VIP: no nm_revnat entry, so not the dataplane's to break.
                DatagramSocket direct = connected(backends.get(0).ips().get(0), TARGET);
                sockets.add(direct);
                assertThat(exchange(direct)).isEqualTo(backends.get(0).key());

                long before = stats().destroyed();
                harness.dataplane().apply(state(List.of(backends.get(1))));
                assertThat(stats().destroyed() - before).as("sockets destroyed").isEqualTo(1);

                DatagramSocket stale = onFirst;
                // The kernel disconnected it: the next exchange fails at once (no reply to wait for).
                assertThatThrownBy(() -> exchange(stale))
                        .isInstanceOf(IOException.class)
                        .isNotInstanceOf(SocketTimeoutException.class);
                assertThat(exchange(onSecond))
                        .as("socket on the surviving backend")
                        .isEqualTo(backends.get(1).key());
                assertThat(exchange(direct))
                        .as("direct socket to the removed pod")
                        .isEqualTo(backends.get(0).key());

                // What a resolver does next: a new socket, through connect4/6, to a live backend. (Reusing the old one
                // works too, once the pending ECONNABORTED has been reported: the JDK's connect() reports it.)
                DatagramSocket again = connected(VIP, PORT);
                sockets.add(again);
                assertThat(exchange(again)).isEqualTo(backends.get(1).key());
            } finally {
                sockets.forEach(DatagramSocket::close);
            }
            return null;
        });
    }

    /**
     * The same through an AF_INET socket of a separate process in the pod's cgroup (connect4 rather than connect6, and
     * the program's IPv4 peer check): its next exchange fails, a new socket reaches the surviving backend.
     */
    @Test
    void anIpv4SocketOfAPodProcessIsDestroyedToo() throws Exception {
        io.nodemesh.contract.Privileges.requireBinary("python3", "python3");
        harness.dataplane().apply(state(backends));
        Pod pod = harness.pod(client.key());
        String script = String.join(
                "\n",
                "import socket, sys",
                "def ask(s):",
                "    s.send(b'q\\n')",
                "    return s.recv(256).decode().strip()",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)",
                "s.connect((sys.argv[1], int(sys.argv[2])))",
                "print('first', ask(s), flush=True)",
                "sys.stdin.readline()",
                "try:",
                "    print('answer', ask(s), flush=True)",
                "except socket.timeout:",
                "    print('timeout', flush=True)",
                "except OSError as e:",
                "    print('error', e.errno, flush=True)",
                "t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); t.settimeout(3)",
                "t.connect((sys.argv[1], int(sys.argv[2])))",
                "print('again', ask(t), flush=True)");
        List<String> argv = List.of(
                "sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                pod.cgroup().orElseThrow().resolve("cgroup.procs").toString(),
                "ip",
                "netns",
                "exec",
                pod.netns(),
                "python3",
                "-c",
                script,
                VIP,
                Integer.toString(PORT));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(
                        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                var in = p.getOutputStream()) {
            String first = out.readLine();
            assertThat(first).as("first answer").startsWith("first dns/resolver-");
            String reached = first.substring("first ".length());
            Workload survivor = backends.stream()
                    .filter(w -> !w.key().equals(reached))
                    .findFirst()
                    .orElseThrow();
            long before = stats().destroyed();
            harness.dataplane().apply(state(List.of(survivor)));
            assertThat(stats().destroyed() - before).as("sockets destroyed").isEqualTo(1);
            in.write('\n');
            in.flush();
            // EDESTADDRREQ (89) from send on the now unconnected socket, or the pending ECONNABORTED (103)
            assertThat(out.readLine()).as("exchange after the apply").isIn("error 89", "error 103");
            assertThat(out.readLine()).isEqualTo("again " + survivor.key());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** An apply that removes no UDP backend runs no iterator. */
    @Test
    void appliesThatKeepEveryBackendBreakNothing() {
        harness.dataplane().apply(state(backends));
        harness.dataplane().apply(state(backends));
        assertThat(stats().runs()).isZero();
        assertThat(harness.pod(client.key()).sendUdp(VIP, PORT))
                .isInstanceOf(io.nodemesh.contract.ConnectOutcome.Reached.class);
    }
}
