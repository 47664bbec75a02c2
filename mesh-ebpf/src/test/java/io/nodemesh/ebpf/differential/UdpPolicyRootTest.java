package io.nodemesh.ebpf.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.state.Endpoint;
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
import io.nodemesh.contract.WorkloadSpec;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.testing.EbpfContractHarness;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two UDP policy divergences the differential test found, fixed in service.bpf.c, on the real kernel:
 * <ul>
 *   <li>a server's reply to an allowed request is not a new flow: it passes although policy denies the reverse
 *       direction (recvmsg4/6 records the peer in {@code nm_udp_peers}); a new datagram in that direction is still
 *       refused, from another socket too;</li>
 *   <li>each send of a connected UDP socket is judged with the service it was translated for ({@code nm_revnat}), so a
 *       backend that policy admits only through its service keeps answering; connecting to the backend directly is
 *       still refused.</li>
 * </ul>
 * Both are what the simulator (mesh-sim's UdpHooks) does, the reference the differential test compares with.
 */
class UdpPolicyRootTest {
    private static final String NS = "u";
    private static final int SERVER_PORT = 9090, CLIENT_PORT = 9091;
    private static final String VIP4 = "10.96.0.77", VIP6 = "fd00:96::77";
    private static final int VIP_PORT = 53;
    private static final int TIMEOUT_MS = 3000;

    private EbpfContractHarness harness;

    @BeforeEach
    void start() {
        RootSupport.requireBpf();
        harness = EbpfContractHarness.start();
    }

    @AfterEach
    void stop() {
        if (harness != null) harness.close();
        RootSupport.cleanUp();
    }

    private Workload workload(String name, List<Integer> ports) {
        return harness.startWorkload(new WorkloadSpec(
                NS,
                name,
                EbpfContractHarness.NODE,
                "spiffe://cluster.local/ns/" + NS + "/sa/" + name,
                Map.of("app", name),
                ports));
    }

    private static Service udpService(Workload backend, int targetPort) {
        return new Service(
                NS,
                "svc",
                List.of(VIP4, VIP6),
                List.of(new ServicePort("udp", VIP_PORT, targetPort, Protocol.UDP)),
                backend.ips().stream()
                        .map(ip -> Endpoint.ready(ip, backend.key()))
                        .toList(),
                Map.of(),
                LoadBalancing.ROUND_ROBIN,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    private static Policy policy(
            String name, PolicyAction action, List<String> from, List<String> to, List<String> services) {
        return new Policy(NS, name, action, from, to, services, List.of(), List.of());
    }

    private MeshState.Builder base(Workload... workloads) {
        var b = MeshState.builder();
        harness.nodes().forEach(b::node);
        for (Workload w : workloads) b.workload(w);
        return b;
    }

    @Test
    void aReplyToAnAllowedRequestPassesUnderADenyOfTheReverseDirection() {
        Workload client = workload("client", List.of(CLIENT_PORT));
        Workload server = workload("server", List.of(SERVER_PORT));
        harness.dataplane()
                .apply(base(client, server)
                        .service(udpService(server, SERVER_PORT))
                        .policy(policy(
                                "client-to-server",
                                PolicyAction.ALLOW,
                                List.of(client.identity()),
                                List.of(server.identity()),
                                List.of()))
                        .policy(policy(
                                "no-server-to-client",
                                PolicyAction.DENY,
                                List.of(server.identity()),
                                List.of(client.identity()),
                                List.of()))
                        .build());

        for (String ip : server.ips()) {
            SocketAddress to = address(ip, SERVER_PORT);
            Exchange e = harness.pod(client.key()).thread().call(() -> exchange(to, false));
            assertThat(e.answer())
                    .as("answer to an unconnected request to %s", ip)
                    .isEqualTo(server.key());
            assertThat(e.from()).isEqualTo(to);

            // The reverse direction stays denied for new flows: from a fresh server-side socket to the very client
            // socket that was just answered (not a reply: that socket never heard from it), and to the client's server.
            String clientIp = client.ips().get(server.ips().indexOf(ip)); // same family: the source the server saw
            SocketAddress back = address(clientIp, e.localPort());
            assertThatThrownBy(() -> harness.pod(server.key()).thread().call(() -> sendOnly(back)))
                    .as("a new datagram from the server's identity to the client's socket")
                    .hasStackTraceContaining("Operation not permitted");
            assertThatThrownBy(() -> harness.pod(server.key())
                            .thread()
                            .call(() -> exchange(address(clientIp, CLIENT_PORT), false)))
                    .as("a request from the server's identity to the client's UDP server")
                    .hasStackTraceContaining("Operation not permitted");
        }
        for (String vip : List.of(VIP4, VIP6)) {
            SocketAddress to = address(vip, VIP_PORT);
            for (boolean connected : List.of(false, true)) {
                Exchange e = harness.pod(client.key()).thread().call(() -> exchange(to, connected));
                assertThat(e.answer())
                        .as("answer via %s, connected %s", vip, connected)
                        .isEqualTo(server.key());
                assertThat(e.from()).as("the reply shows the VIP").isEqualTo(to);
            }
        }
    }

    @Test
    void connectedUdpToABackendAllowedOnlyThroughItsServiceKeepsWorking() {
        Workload client = workload("client", List.of());
        Workload backend = workload("backend", List.of(SERVER_PORT));
        Workload other = workload("other", List.of());
        harness.dataplane()
                .apply(base(client, backend, other)
                        .service(udpService(backend, SERVER_PORT))
                        // the client is admitted through the service only ...
                        .policy(policy(
                                "client-via-service",
                                PolicyAction.ALLOW,
                                List.of(client.identity()),
                                List.of(),
                                List.of(NS + "/svc")))
                        // ... while the backend's identity is default-deny, selected by an ALLOW for someone else
                        .policy(policy(
                                "other-to-backend",
                                PolicyAction.ALLOW,
                                List.of(other.identity()),
                                List.of(backend.identity()),
                                List.of()))
                        .build());

        for (String vip : List.of(VIP4, VIP6)) {
            SocketAddress to = address(vip, VIP_PORT);
            List<String> answers = harness.pod(client.key()).thread().call(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(TIMEOUT_MS);
                    s.connect(to);
                    // sends without an address and with the VIP again: sendmsg sees the backend or the VIP each time
                    return List.of(ask(s, null), ask(s, null), ask(s, to), ask(s, null), ask(s, to));
                }
            });
            assertThat(answers)
                    .as("five exchanges on one socket connected to %s", vip)
                    .containsOnly(backend.key())
                    .hasSize(5);
        }
        for (String ip : backend.ips()) {
            SocketAddress direct = address(ip, SERVER_PORT);
            assertThatThrownBy(() -> harness.pod(client.key()).thread().call(() -> exchange(direct, true)))
                    .as("the backend's own address, not through the service: %s", ip)
                    .hasStackTraceContaining("Operation not permitted");
        }
    }

    private static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    /** One request and its answer, with the address the answer showed and the client socket's port. */
    /** One request and its answer, with the address the answer showed and the client socket's (ephemeral) port. */
    private record Exchange(String answer, SocketAddress from, int localPort) {}

    private static Exchange exchange(SocketAddress to, boolean connected) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(TIMEOUT_MS);
            if (connected) s.connect(to);
            byte[] hello = "q\n".getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(hello, hello.length, to));
            DatagramPacket reply = new DatagramPacket(new byte[256], 256);
            s.receive(reply);
            return new Exchange(
                    new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).strip(),
                    reply.getSocketAddress(),
                    s.getLocalPort());
        }
    }

    private static Void sendOnly(SocketAddress to) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] hello = "q\n".getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(hello, hello.length, to));
        }
        return null;
    }

    private static String ask(DatagramSocket s, SocketAddress to) throws IOException {
        byte[] hello = "q\n".getBytes(StandardCharsets.UTF_8);
        s.send(to == null ? new DatagramPacket(hello, hello.length) : new DatagramPacket(hello, hello.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[256], 256);
        s.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).strip();
    }
}
