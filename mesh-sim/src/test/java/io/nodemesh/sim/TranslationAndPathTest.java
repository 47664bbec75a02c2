package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where connections go and which way their bytes take. */
class TranslationAndPathTest {
    private final SimulatedDataplane dp = SimulatedDataplane.seeded(3);
    private final List<FlowEvent> events = new ArrayList<>();

    {
        dp.flows().subscribe(events::add);
    }

    @AfterEach
    void close() {
        dp.close();
    }

    /** web-0 on node-a (the client's node), web-1 on node-b, web-2 on node-c. */
    private final List<Workload> pods = SimWorld.webPods(3);

    @Test
    void clientSeesTheVipWhileTheBackendGetsItsTargetPort() {
        dp.apply(SimWorld.state(pods)
                .service(SimWorld.web(LoadBalancing.ROUND_ROBIN))
                .build());
        SimConnection c =
                dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80).connection();

        assertThat(c.peer()).isEqualTo(new FlowPeer(SimWorld.VIP, 80, "", ""));
        assertThat(c.backend().ip()).isEqualTo(pods.getFirst().ips().getFirst());
        assertThat(c.backend().port()).isEqualTo(8080);
        assertThat(c.backend().identity()).isEqualTo(SimWorld.identity("web-0"));
        assertThat(c.client().ip()).isEqualTo("10.244.0.2");
        assertThat(c.client().port()).isBetween(32768, 60999);

        FlowEvent translate = events.getLast();
        assertThat(translate.type()).isEqualTo(FlowEvent.Type.TRANSLATE);
        assertThat(translate.destination().ip()).isEqualTo(SimWorld.VIP);
        assertThat(translate.backend().ip()).isEqualTo(c.backend().ip());
        assertThat(translate.service()).isEqualTo("shop/web");
        assertThat(translate.verdict()).isEqualTo(Verdict.FORWARDED);
    }

    @Test
    void redirectOnlyWhenBothEndsShareANode() {
        dp.apply(SimWorld.state(pods)
                .service(SimWorld.web(LoadBalancing.ROUND_ROBIN))
                .build());
        // Round robin from one client: web-0 (node-a, same node), web-1 (node-b), web-2 (node-c).
        List<FlowPath> paths = new ArrayList<>();
        for (int i = 0; i < 3; i++)
            paths.add(dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80)
                    .connection()
                    .path());
        assertThat(paths).containsExactly(FlowPath.SOCKET_REDIRECT, FlowPath.KERNEL_STACK, FlowPath.KERNEL_STACK);

        // Direct to a pod address, and from a host process on node-b to the pod on node-b.
        assertThat(dp.connect(Source.workload("shop/client"), "10.244.0.10", 8080)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.SOCKET_REDIRECT);
        assertThat(dp.connect(Source.workload("shop/client"), "10.244.1.11", 8080)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.KERNEL_STACK);
        assertThat(dp.connect(Source.host("node-b"), "10.244.1.11", 8080)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.SOCKET_REDIRECT);
    }

    @Test
    void redirectedBytesAreReportedPerSendAndOthersAtClose() {
        dp.apply(SimWorld.state(pods).build());
        SimConnection local =
                dp.connect(Source.workload("shop/client"), "10.244.0.10", 8080).connection();
        SimConnection remote =
                dp.connect(Source.workload("shop/client"), "10.244.1.11", 8080).connection();
        events.clear();
        assertThat(dp.send(local, 64)).isEqualTo(new SendResult.Delivered(FlowPath.SOCKET_REDIRECT, 64));
        assertThat(dp.send(remote, 64)).isEqualTo(new SendResult.Delivered(FlowPath.KERNEL_STACK, 64));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(FlowEvent.Type.REDIRECT);
            assertThat(e.bytes()).isEqualTo(64);
        });
        dp.send(remote, 36);
        assertThat(dp.close(remote)).isTrue();
        assertThat(dp.close(remote)).isFalse();
        assertThat(events.getLast()).satisfies(e -> {
            assertThat(e.type()).isEqualTo(FlowEvent.Type.CLOSE);
            assertThat(e.bytes()).isEqualTo(100);
        });
    }

    @Test
    void deniedSameNodeConnectionIsNeverRedirected() {
        Policy deny = new Policy(
                "shop",
                "deny",
                PolicyAction.DENY,
                List.of(SimWorld.identity("client")),
                List.of(SimWorld.identity("web-0")),
                List.of(),
                List.of(),
                List.of());
        dp.apply(SimWorld.state(pods).policy(deny).build());
        ConnectResult r = dp.connect(Source.workload("shop/client"), "10.244.0.10", 8080);
        assertThat(r)
                .isInstanceOfSatisfying(
                        ConnectResult.Refused.class,
                        refused -> assertThat(refused.verdict()).isEqualTo(Verdict.DROPPED_POLICY));
        assertThat(events).extracting(FlowEvent::path).doesNotContain(FlowPath.SOCKET_REDIRECT);
        assertThat(events.getLast().type()).isEqualTo(FlowEvent.Type.DROP);
    }

    @Test
    void l7ServicesGoThroughTheNodeProxyEvenOnOneNode() {
        dp.apply(SimWorld.state(pods)
                .service(SimWorld.web(LoadBalancing.ROUND_ROBIN, SessionAffinity.NONE, true))
                .build());
        assertThat(dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.NODE_PROXY);
    }

    @Test
    void wireguardEncryptsCrossNodeTrafficAndStrictModeFailsClosedWithoutAKey() {
        MeshState.Builder b = MeshState.builder();
        for (Node n : SimHarness.NODES) b.node(n.name().equals("node-c") ? n : n.withWireguardPublicKey(key(n.name())));
        b.workload(SimWorld.client());
        pods.forEach(b::workload);
        b.encryption(new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.PERMISSIVE, null));
        dp.apply(b.build());
        assertThat(dp.connect(Source.workload("shop/client"), "10.244.1.11", 8080)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.ENCRYPTED_TUNNEL);
        assertThat(dp.connect(Source.workload("shop/client"), "10.244.0.10", 8080)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.SOCKET_REDIRECT);
        // node-c has no key: not strict, so it goes in clear.
        assertThat(dp.connect(Source.workload("shop/client"), "10.244.2.12", 8080)
                        .connection()
                        .path())
                .isEqualTo(FlowPath.KERNEL_STACK);

        dp.apply(
                b.encryption(new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.STRICT, null))
                        .build());
        ConnectResult strict = dp.connect(Source.workload("shop/client"), "10.244.2.12", 8080);
        assertThat(strict).isInstanceOfSatisfying(ConnectResult.Refused.class, r -> {
            assertThat(r.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
            assertThat(r.reason()).contains("node-c has no WireGuard key");
        });
    }

    @Test
    void noReadyBackendIsRefusedWithAFlow() {
        dp.apply(SimWorld.state(List.of())
                .service(SimWorld.web(LoadBalancing.RANDOM))
                .build());
        ConnectResult r = dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80);
        assertThat(r)
                .isEqualTo(new ConnectResult.Refused(Verdict.NO_BACKEND, "service shop/web has no ready endpoint"));
        assertThat(events.getLast().verdict()).isEqualTo(Verdict.NO_BACKEND);
        assertThat(dp.connect(Source.workload("shop/client"), SimWorld.VIP, 81))
                .isInstanceOfSatisfying(
                        ConnectResult.Refused.class, x -> assertThat(x.reason()).contains("exposes no TCP port 81"));
        assertThat(dp.connect(Source.workload("shop/client"), "10.1.2.3", 80))
                .isInstanceOfSatisfying(
                        ConnectResult.Refused.class,
                        x -> assertThat(x.reason()).contains("no service VIP or workload"));
    }

    @Test
    void roundRobinCountersArePerNodeKernel() {
        dp.apply(SimWorld.state(pods)
                .service(SimWorld.web(LoadBalancing.ROUND_ROBIN))
                .build());
        String fromA = dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80)
                .connection()
                .backend()
                .workload();
        String fromB = dp.connect(Source.host("node-b"), SimWorld.VIP, 80)
                .connection()
                .backend()
                .workload();
        // Each node's kernel has its own counter, as each node's BPF map does: both start at the first backend.
        assertThat(fromA).isEqualTo(fromB).isEqualTo("shop/web-0");
    }

    private static String key(String seed) {
        byte[] k = new byte[32];
        byte[] s = seed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(s, 0, k, 0, Math.min(s.length, 32));
        return Base64.getEncoder().encodeToString(k);
    }
}
