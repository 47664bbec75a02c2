package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** UDP: per-datagram translation, connected sockets that follow their backend's removal, reverse translation, flows. */
class UdpTest {
    private static final String DNS_VIP = "10.96.0.53";
    private static final Source CLIENT = Source.workload("shop/client");

    private final SimulatedDataplane dp = SimulatedDataplane.seeded(11);
    private final List<FlowEvent> events = new ArrayList<>();
    /** dns-0 on node-a (the client's node), dns-1 on node-b, dns-2 on node-c. */
    private final List<Workload> pods = IntStream.range(0, 3)
            .mapToObj(i -> SimWorld.pod("dns-" + i, i, 20 + i, Map.of("app", "dns")))
            .toList();

    {
        dp.flows().subscribe(events::add);
    }

    @AfterEach
    void close() {
        dp.close();
    }

    /** UDP 53 → 5353 over the given endpoints, or over every dns pod by label when none are given. */
    private static Service dns(List<Endpoint> endpoints) {
        return new Service(
                SimWorld.NS,
                "dns",
                List.of(DNS_VIP),
                List.of(ServicePort.udp(53, 5353), ServicePort.tcp(53, 5353)),
                endpoints,
                endpoints.isEmpty() ? Map.of("app", "dns") : Map.of(),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    private Endpoint endpoint(int i, EndpointState state) {
        return new Endpoint(pods.get(i).ips().getFirst(), pods.get(i).key(), state);
    }

    private MeshState.Builder world() {
        return SimWorld.state(pods);
    }

    @Test
    void eachUnconnectedDatagramIsTranslatedAndTheReplyComesFromTheVip() {
        dp.apply(world().service(dns(List.of())).build());
        Map<String, Integer> reached = new HashMap<>();
        for (int i = 0; i < 90; i++) {
            DatagramResult r = dp.sendDatagram(CLIENT, DNS_VIP, 53, 40);
            assertThat(r).isInstanceOfSatisfying(DatagramResult.Delivered.class, d -> {
                assertThat(d.backend().port()).isEqualTo(5353);
                assertThat(d.replyFrom()).isEqualTo(new FlowPeer(DNS_VIP, 53, "", ""));
                assertThat(d.retranslated()).isFalse();
            });
            reached.merge(((DatagramResult.Delivered) r).backend().workload(), 1, Integer::sum);
        }
        // Per-datagram random choice: a backend missed in 90 datagrams has probability 3 * (2/3)^90 ≈ 4e-16.
        assertThat(reached.keySet()).containsExactlyInAnyOrder("shop/dns-0", "shop/dns-1", "shop/dns-2");
        assertThat(events).hasSize(90).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(FlowEvent.Type.TRANSLATE);
            assertThat(e.service()).isEqualTo("shop/dns");
            assertThat(e.bytes()).isEqualTo(40);
            assertThat(e.destination().ip()).isEqualTo(DNS_VIP);
        });
    }

    @Test
    void aSameNodeDatagramCrossesTheStackBecauseRedirectIsTcpOnly() {
        dp.apply(world().service(dns(List.of(endpoint(0, EndpointState.READY)))).build());
        DatagramResult r = dp.sendDatagram(CLIENT, DNS_VIP, 53, 40);
        assertThat(r)
                .isInstanceOfSatisfying(
                        DatagramResult.Delivered.class,
                        d -> assertThat(d.path()).isEqualTo(FlowPath.KERNEL_STACK));
        // The TCP port of the same service on the same node does take the redirect.
        assertThat(dp.connect(CLIENT, DNS_VIP, 53).connection().path()).isEqualTo(FlowPath.SOCKET_REDIRECT);
    }

    @Test
    void aConnectedSocketKeepsItsBackendThenMovesWhenItIsRemoved() {
        List<Endpoint> all = List.of(
                endpoint(0, EndpointState.READY), endpoint(1, EndpointState.READY), endpoint(2, EndpointState.READY));
        dp.apply(world().service(dns(all)).build());
        UdpSocket socket = dp.connectUdp(CLIENT, DNS_VIP, 53);
        assertThat(socket.peer()).isEqualTo(new FlowPeer(DNS_VIP, 53, "", ""));
        String first = delivered(dp.send(socket, 10)).backend().workload();
        // Random balancing would leave one backend 19 more times with probability (1/3)^19 ≈ 9e-10.
        for (int i = 0; i < 19; i++)
            assertThat(delivered(dp.send(socket, 10)).backend().workload()).isEqualTo(first);

        // Terminating still exists: the socket stays.
        int index = pods.stream().map(Workload::key).toList().indexOf(first);
        List<Endpoint> terminating = new ArrayList<>(all);
        terminating.set(index, endpoint(index, EndpointState.TERMINATING));
        dp.apply(world().service(dns(terminating)).build());
        assertThat(delivered(dp.send(socket, 10)).backend().workload()).isEqualTo(first);

        // Removed: the next send is translated again, to one of the others, and then sticks there.
        List<Endpoint> removed = new ArrayList<>(all);
        removed.remove(index);
        dp.apply(world().service(dns(removed)).build());
        DatagramResult.Delivered moved = delivered(dp.send(socket, 10));
        assertThat(moved.retranslated()).isTrue();
        assertThat(moved.backend().workload())
                .isNotEqualTo(first)
                .isIn(removed.stream().map(Endpoint::workload).toList());
        assertThat(moved.replyFrom().ip()).isEqualTo(DNS_VIP);
        for (int i = 0; i < 19; i++) {
            DatagramResult.Delivered d = delivered(dp.send(socket, 10));
            assertThat(d.backend().workload()).isEqualTo(moved.backend().workload());
            assertThat(d.retranslated()).isFalse();
        }

        // No endpoint at all: dropped, and the socket picks one up again once there is one.
        dp.apply(world().service(dns(List.of())).removeService("shop/dns").build());
        assertThat(dp.send(socket, 10))
                .isInstanceOfSatisfying(
                        DatagramResult.Dropped.class,
                        d -> assertThat(d.verdict()).isEqualTo(Verdict.NO_BACKEND));
        dp.apply(world().service(dns(List.of(endpoint(index, EndpointState.READY))))
                .build());
        assertThat(delivered(dp.send(socket, 10)).backend().workload()).isEqualTo(first);

        assertThat(dp.close(socket)).isTrue();
        assertThat(dp.close(socket)).isFalse();
        FlowEvent close = events.getLast();
        assertThat(close.type()).isEqualTo(FlowEvent.Type.CLOSE);
        assertThat(close.bytes()).isEqualTo(10L * (20 + 1 + 20 + 1));
    }

    @Test
    void aDeniedDatagramIsDroppedWithAFlowEvent() {
        Policy deny = new Policy(
                SimWorld.NS,
                "no-dns",
                PolicyAction.DENY,
                List.of(SimWorld.identity("client")),
                List.of(),
                List.of("shop/dns"),
                List.of(),
                List.of());
        dp.apply(world().service(dns(List.of())).policy(deny).build());
        DatagramResult r = dp.sendDatagram(CLIENT, DNS_VIP, 53, 40);
        assertThat(r).isInstanceOfSatisfying(DatagramResult.Dropped.class, d -> {
            assertThat(d.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
            assertThat(d.reason()).contains("policy denies", "shop/dns");
        });
        assertThat(events.getLast().type()).isEqualTo(FlowEvent.Type.DROP);
        assertThat(events.getLast().verdict()).isEqualTo(Verdict.DROPPED_POLICY);
        // A host process is not named by the deny.
        assertThat(dp.sendDatagram(Source.host("node-a"), DNS_VIP, 53, 40).delivered())
                .isTrue();
    }

    @Test
    void aTcpOnlyPortOrAnUnknownAddressHasNoUdpBackend() {
        dp.apply(world().service(SimWorld.web(LoadBalancing.RANDOM)).build());
        assertThat(dp.sendDatagram(CLIENT, SimWorld.VIP, 80, 1))
                .isInstanceOfSatisfying(DatagramResult.Dropped.class, d -> {
                    assertThat(d.verdict()).isEqualTo(Verdict.NO_BACKEND);
                    assertThat(d.reason()).contains("exposes no UDP port 80");
                });
        assertThat(dp.sendDatagram(CLIENT, "10.1.2.3", 9, 1))
                .isInstanceOfSatisfying(
                        DatagramResult.Dropped.class,
                        d -> assertThat(d.reason()).contains("no service VIP or workload has address 10.1.2.3"));
    }

    @Test
    void aDatagramStraightToAPodIsNotTranslated() {
        dp.apply(world().build());
        String pod = pods.get(1).ips().getFirst();
        DatagramResult.Delivered d = delivered(dp.sendDatagram(CLIENT, pod, 5353, 8));
        assertThat(d.backend()).isEqualTo(new FlowPeer(pod, 5353, "shop/dns-1", SimWorld.identity("dns-1")));
        assertThat(events.getLast().type()).isEqualTo(FlowEvent.Type.CONNECT);
    }

    private static DatagramResult.Delivered delivered(DatagramResult r) {
        assertThat(r).isInstanceOf(DatagramResult.Delivered.class);
        return (DatagramResult.Delivered) r;
    }
}
