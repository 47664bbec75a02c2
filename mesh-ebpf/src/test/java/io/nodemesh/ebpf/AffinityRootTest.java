package io.nodemesh.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.DataplaneFixture;
import io.nodemesh.ebpf.support.Netns;
import io.nodemesh.ebpf.support.TestCgroup;
import io.nodemesh.ebpf.testing.KeyServer;
import io.nodemesh.ebpf.testing.Pod;
import io.nodemesh.ebpf.testing.PodNetwork;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session affinity in the kernel keeps a client on its backend when the backend set shrinks and that backend is moved
 * to a lower slot, as the simulator (which looks the remembered backend up among the ready ones) does.
 */
@ExtendWith(BpfFdLeakCheck.class)
class AffinityRootTest {
    /** Independent rounds: without the kernel finding a moved backend each would pass by luck with p = 1/2. */
    private static final int ROUNDS = 8;

    private static final List<String> BACKENDS = List.of("b1", "b2", "b3");
    private static PodNetwork pods;
    private DataplaneFixture fixture;
    private TestCgroup cgroup;

    @BeforeAll
    static void makePods() {
        pods = DataplaneFixture.podNetwork();
        if (pods == null) return;
        pods.addPod("client");
        for (String b : BACKENDS) pods.addPod(b);
    }

    @AfterAll
    static void removePods() {
        DataplaneFixture.removePodNetwork(pods);
    }

    @BeforeEach
    void setUp() {
        fixture = DataplaneFixture.prepare("af");
        cgroup = fixture.cgroup();
    }

    @AfterEach
    void tearDown() {
        if (fixture != null) fixture.close();
    }

    private EbpfDataplane open() {
        return fixture.open(Map.of());
    }

    /** Round {@code round}'s service (a new one each round, so its slots are filled afresh in state order). */
    private static MeshState state(int round, List<String> backends) {
        var b = MeshState.builder().node(Node.of("n1", "192.168.50.1", pods.cidrV4()));
        List<Endpoint> endpoints = new ArrayList<>();
        for (Pod p : pods.pods()) {
            b.workload(new Workload(
                    "t",
                    p.name(),
                    "n1",
                    List.of(p.ipv4()),
                    "spiffe://cluster.local/ns/t/sa/" + p.name(),
                    Map.of(),
                    new Placement(p.netnsPath().toString(), "")));
            if (backends.contains(p.name()))
                endpoints.add(new Endpoint(p.ipv4(), "t/" + p.name(), EndpointState.READY));
        }
        return b.service(new Service(
                        "t",
                        "web" + round,
                        List.of(vip(round)),
                        List.of(new ServicePort("http", 80, 8080, Protocol.TCP)),
                        endpoints,
                        Map.of(),
                        LoadBalancing.RANDOM,
                        SessionAffinity.clientIp(Duration.ofMinutes(10)),
                        ServiceLayer.L4))
                .build();
    }

    @Test
    void aClientKeepsItsBackendWhenTheBackendMovesToAnotherSlot() throws Exception {
        List<KeyServer> servers = new ArrayList<>();
        try (EbpfDataplane dp = open()) {
            for (String b : BACKENDS) servers.add(Netns.call(pod(b).netns(), () -> KeyServer.start(8080, b)));
            cgroup.enter();
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    dp.apply(state(round, BACKENDS));
                    // A new backend set fills slots in state order: b3 sits in slot 2. Draw until the client sticks
                    // to b3.
                    String first = askVip(round);
                    for (int i = 0; i < 60 && !first.equals("b3"); i++) {
                        forget(dp.installation().map("nm_affinity"));
                        first = askVip(round);
                    }
                    assertThat(first)
                            .as("a RANDOM service picks b3 within 60 draws")
                            .isEqualTo("b3");
                    assertThat(askVip(round)).as("sticky").isEqualTo("b3");

                    dp.apply(state(round, List.of("b2", "b3"))); // b1 leaves slot 0; b3 (slot 2) moves into it
                    for (int i = 0; i < 3; i++)
                        assertThat(askVip(round))
                                .as("round %d: still b3 after it moved to another slot (connection %d)", round, i)
                                .isEqualTo("b3");
                }
            } finally {
                cgroup.leave();
            }
        } finally {
            for (KeyServer s : servers) s.close();
        }
    }

    private static String vip(int round) {
        return "10.96.0." + (50 + round);
    }

    private static void forget(BpfMap map) {
        for (byte[] key : map.keys()) map.delete(key);
    }

    private static String askVip(int round) throws Exception {
        return Netns.call(pod("client").netns(), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.ofLiteral(vip(round)), 80), 3000);
                s.setSoTimeout(3000);
                return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                        .readLine()
                        .strip();
            }
        });
    }

    private static Pod pod(String name) {
        return pods.pods().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
