package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelLayouts;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.abi.StructReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MapPlannerTest {
    private static final String WEB = "spiffe://cluster.local/ns/shop/sa/web";
    private static final String API = "spiffe://cluster.local/ns/shop/sa/api";

    /** Resolves /var/run/netns/<x> and pods/<x> to numbers derived from the path; nothing else exists. */
    private static final PlacementResolver FAKE = new PlacementResolver() {
        @Override
        public OptionalLong netnsCookie(String path) {
            return path.startsWith("/var/run/netns/") ? OptionalLong.of(cookie(path)) : OptionalLong.empty();
        }

        @Override
        public OptionalLong cgroupId(String path) {
            return path.startsWith("pods/") ? OptionalLong.of(cookie(path) + 1) : OptionalLong.empty();
        }
    };

    private static long cookie(String path) {
        return 4096L + (path.hashCode() & 0xffffL) * 2;
    }

    private final MapPlanner planner = new MapPlanner(PlanLimits.DEFAULTS, FAKE);

    private static Workload pod(String name, String node, String identity, String... ips) {
        return new Workload(
                "shop",
                name,
                node,
                List.of(ips),
                identity,
                Map.of("app", name.replaceAll("-\\d+$", "")),
                new Placement("/var/run/netns/" + name, "pods/" + name));
    }

    private static MeshState state(List<Endpoint> apiEndpoints, LoadBalancing lb) {
        return MeshState.builder()
                .node(Node.of("n1", "192.168.0.1", "10.200.1.0/24"))
                .node(Node.of("n2", "192.168.0.2", "10.200.2.0/24"))
                .workload(pod("web-1", "n1", WEB, "10.200.1.10", "fd00:200::1:10"))
                .workload(pod("api-1", "n1", API, "10.200.1.20", "fd00:200::1:20"))
                .workload(pod("api-2", "n2", API, "10.200.2.20"))
                .service(new Service(
                        "shop",
                        "api",
                        List.of("10.96.0.10", "fd00:96::10"),
                        List.of(ServicePort.tcp(80, 8080), new ServicePort("dns", 53, 5353, Protocol.UDP)),
                        apiEndpoints,
                        Map.of(),
                        lb,
                        SessionAffinity.clientIp(Duration.ofMillis(1500)),
                        ServiceLayer.L4))
                .build();
    }

    private static List<Endpoint> apiEndpoints() {
        return List.of(
                Endpoint.ready("10.200.1.20", "shop/api-1"),
                Endpoint.ready("fd00:200::1:20", "shop/api-1"),
                Endpoint.ready("10.200.2.20", "shop/api-2"),
                new Endpoint("10.200.9.9", "", EndpointState.TERMINATING),
                new Endpoint("10.200.9.8", "", EndpointState.NOT_READY));
    }

    @Test
    void servicesGetOneEntryPerVipAndPortWithOnlyTheirReadyBackendsOfTheVipsFamily() {
        MapPlan plan = planner.plan(
                state(apiEndpoints(), LoadBalancing.ROUND_ROBIN), "n1", KernelConfig.DEFAULT, Allocations.NONE);
        KernelModel k = new KernelModel(plan);
        assertThat(plan.size(KernelMap.SERVICES)).isEqualTo(4); // 2 VIPs x 2 ports

        Encode.ServiceValue v4 =
                k.service("10.96.0.10", 80, KernelAbi.PROTO_TCP).orElseThrow();
        assertThat(v4.serviceId()).isEqualTo(1);
        assertThat(v4.backendCount()).isEqualTo(2); // terminating and not-ready endpoints get no slot; v6 is separate
        assertThat(v4.targetPort()).isEqualTo(8080);
        assertThat(v4.lb()).isEqualTo(KernelAbi.LB_ROUND_ROBIN);
        assertThat(v4.flags()).isEqualTo(KernelAbi.SVC_F_AFFINITY);
        assertThat(v4.affinityTimeoutSeconds()).isEqualTo(2); // 1.5 s rounds up, never down to "no affinity"
        assertThat(List.of(
                        k.backend(v4.backendSet(), 0).orElseThrow(),
                        k.backend(v4.backendSet(), 1).orElseThrow()))
                .containsExactly("10.200.1.20", "10.200.2.20");

        Encode.ServiceValue udp =
                k.service("10.96.0.10", 53, KernelAbi.PROTO_UDP).orElseThrow();
        assertThat(udp.backendSet()).isEqualTo(v4.backendSet());
        assertThat(udp.targetPort()).isEqualTo(5353);

        Encode.ServiceValue v6 =
                k.service("fd00:96::10", 80, KernelAbi.PROTO_TCP).orElseThrow();
        assertThat(v6.serviceId()).isEqualTo(v4.serviceId());
        assertThat(v6.backendSet()).isNotEqualTo(v4.backendSet());
        assertThat(v6.backendCount()).isEqualTo(1);
        assertThat(k.backend(v6.backendSet(), 0)).hasValue("fd00:200:0:0:0:0:1:20");
        assertThat(plan.size(KernelMap.BACKENDS)).isEqualTo(3);
        assertThat(plan.size(KernelMap.MAGLEV)).isZero();
    }

    @Test
    void backendsCarryTheirIdentityAndWhetherTheyAreOnThisNode() {
        MapPlan plan =
                planner.plan(state(apiEndpoints(), LoadBalancing.RANDOM), "n1", KernelConfig.DEFAULT, Allocations.NONE);
        int api = plan.allocations().identities().get(API);
        var b0 = new StructReader(
                KernelLayouts.BACKEND_VALUE,
                plan.entries(KernelMap.BACKENDS).firstEntry().getValue().toArray());
        assertThat(b0.u32("identity")).isEqualTo(api);
        assertThat(b0.u32("flags")).isEqualTo(KernelAbi.BACKEND_F_LOCAL); // api-1 is on n1
        MapPlan onN2 =
                planner.plan(state(apiEndpoints(), LoadBalancing.RANDOM), "n2", KernelConfig.DEFAULT, Allocations.NONE);
        var b0n2 = new StructReader(
                KernelLayouts.BACKEND_VALUE,
                onN2.entries(KernelMap.BACKENDS).firstEntry().getValue().toArray());
        assertThat(b0n2.u32("flags")).isZero();
    }

    @Test
    void maglevServicesGetTheApiTableIndexedBySlot() {
        MapPlan plan =
                planner.plan(state(apiEndpoints(), LoadBalancing.MAGLEV), "n1", KernelConfig.DEFAULT, Allocations.NONE);
        KernelModel k = new KernelModel(plan);
        Encode.ServiceValue v4 =
                k.service("10.96.0.10", 80, KernelAbi.PROTO_TCP).orElseThrow();
        assertThat(v4.maglevSize()).isEqualTo(PlanLimits.DEFAULT_MAGLEV_TABLE_SIZE);
        int[] expected = Maglev.table(List.of("10.200.1.20", "10.200.2.20"), PlanLimits.DEFAULT_MAGLEV_TABLE_SIZE);
        for (int i = 0; i < expected.length; i++)
            assertThat(k.maglevSlot(v4.backendSet(), i)).hasValue(expected[i]);
        assertThat(plan.size(KernelMap.MAGLEV)).isEqualTo(2 * PlanLimits.DEFAULT_MAGLEV_TABLE_SIZE); // v4 and v6 sets
    }

    @Test
    void identitiesByAddressNetnsAndCgroupWithTheLocalFlagOnlyForThisNode() {
        MapPlan plan =
                planner.plan(state(apiEndpoints(), LoadBalancing.RANDOM), "n1", KernelConfig.DEFAULT, Allocations.NONE);
        int web = plan.allocations().identities().get(WEB);
        int api = plan.allocations().identities().get(API);
        assertThat(List.of(web, api)).containsExactlyInAnyOrder(2, 3);
        var local = new StructReader(
                KernelLayouts.IP_INFO,
                plan.entries(KernelMap.IP_IDENTITY)
                        .get(Encode.ipKey(Addresses.toKernel("10.200.1.10")))
                        .toArray());
        assertThat(local.u32("identity")).isEqualTo(web);
        assertThat(local.u32("flags")).isEqualTo(KernelAbi.IP_F_LOCAL);
        var remote = new StructReader(
                KernelLayouts.IP_INFO,
                plan.entries(KernelMap.IP_IDENTITY)
                        .get(Encode.ipKey(Addresses.toKernel("10.200.2.20")))
                        .toArray());
        assertThat(remote.u32("identity")).isEqualTo(api);
        assertThat(remote.u32("flags")).isZero();
        assertThat(plan.size(KernelMap.IP_IDENTITY)).isEqualTo(5);
        // only n1's two pods have netns/cgroup entries
        assertThat(plan.entries(KernelMap.NETNS_IDENTITY))
                .containsEntry(Encode.u64(cookie("/var/run/netns/web-1")), Encode.u32(web));
        assertThat(plan.size(KernelMap.NETNS_IDENTITY)).isEqualTo(2);
        // flow events name a client by its pod's (IPv4) address, as its socket has none yet at connect time
        assertThat(plan.entries(KernelMap.NETNS_ADDRESS))
                .containsEntry(
                        Encode.u64(cookie("/var/run/netns/web-1")), Encode.ipKey(Addresses.toKernel("10.200.1.10")));
        assertThat(plan.entries(KernelMap.CGROUP_IDENTITY))
                .containsEntry(Encode.u64(cookie("pods/api-1") + 1), Encode.u32(api));
        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void unresolvablePlacementIsAWarningNotAnError() {
        MeshState s = MeshState.builder()
                .workload(new Workload(
                        "shop", "ghost", "n1", List.of("10.200.1.5"), WEB, Map.of(), new Placement("/nowhere", "gone")))
                .build();
        MapPlan plan = planner.plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        assertThat(plan.warnings())
                .containsExactly(
                        "workloads[shop/ghost].placement.netns: /nowhere not found; known by address only",
                        "workloads[shop/ghost].placement.cgroup: gone not found; known by address only");
        assertThat(plan.size(KernelMap.IP_IDENTITY)).isEqualTo(1);
    }

    @Test
    void idsAndSlotsStayPutAcrossPlans() {
        MeshState before = state(apiEndpoints(), LoadBalancing.RANDOM).toBuilder()
                .service(new Service(
                        "shop",
                        "web",
                        List.of("10.96.0.20"),
                        List.of(ServicePort.tcp(80, 8080)),
                        List.of(),
                        Map.of("app", "web"),
                        LoadBalancing.RANDOM,
                        SessionAffinity.NONE,
                        ServiceLayer.L4))
                .build();
        MapPlan first = planner.plan(before, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        // a new service listed first, and api-1 (slot 0) leaves: ids stay, and api-2 moves into the freed slot 0
        // only because the count shrinks to 1
        List<Endpoint> shrunk = new ArrayList<>(apiEndpoints());
        shrunk.removeIf(e -> e.ip().equals("10.200.1.20"));
        var b = MeshState.builder();
        before.nodes().forEach(b::node);
        before.workloads().forEach(b::workload);
        b.service(new Service(
                "shop",
                "new",
                List.of("10.96.0.30"),
                List.of(ServicePort.tcp(80, 80)),
                List.of(),
                Map.of("app", "web"),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4));
        before.services().forEach(b::service);
        MeshState after = b.build().withService("shop/api", svc -> svc.withEndpoints(shrunk));
        MapPlan second = planner.plan(after, "n1", KernelConfig.DEFAULT, first.allocations());
        assertThat(second.allocations().services())
                .containsEntry("shop/api", 1)
                .containsEntry("shop/web", 2)
                .containsEntry("shop/new", 3);
        assertThat(second.allocations().identities())
                .isEqualTo(first.allocations().identities());
        assertThat(second.allocations().slots().get("shop/api|v4")).containsExactly("10.200.2.20");

        // growing keeps existing slots: 10.200.2.20 stays in slot 0, the returning backend takes slot 1
        MapPlan third = planner.plan(before, "n1", KernelConfig.DEFAULT, second.allocations());
        assertThat(third.allocations().slots().get("shop/api|v4")).containsExactly("10.200.2.20", "10.200.1.20");
    }

    @Test
    void configCarriesFlagsProxyAndAPolicyGenerationThatMovesWithPolicy() {
        MeshState s = state(apiEndpoints(), LoadBalancing.RANDOM);
        KernelConfig config = KernelConfig.DEFAULT.withProxy("127.0.0.1", 15001);
        MapPlan plan = planner.plan(s, "n1", config, Allocations.NONE);
        var c = new StructReader(
                KernelLayouts.CONFIG,
                plan.entries(KernelMap.CONFIG).get(Encode.u32(0)).toArray());
        assertThat(c.u32("layout_version")).isEqualTo(KernelAbi.LAYOUT_VERSION);
        assertThat(c.u32("flags")).isEqualTo(KernelAbi.CFG_F_REDIRECT | KernelAbi.CFG_F_POLICY | KernelAbi.CFG_F_LB);
        assertThat(Addresses.fromKernel(c.bytes("proxy_ip"))).isEqualTo("127.0.0.1");
        assertThat(c.u16("proxy_port")).isEqualTo(15001);
        long generation = c.u32("policy_generation");
        assertThat(generation).isNotZero();

        MapPlan same = planner.plan(s, "n1", config, plan.allocations());
        assertThat(MapPlan.diff(plan, same)).isEmpty();

        MeshState denied = s.toBuilder()
                .policy(new Policy(
                        "shop", "deny", PolicyAction.DENY, List.of(WEB), List.of(API), List.of(), List.of(), List.of()))
                .build();
        MapPlan withPolicy = planner.plan(denied, "n1", config, plan.allocations());
        var c2 = new StructReader(
                KernelLayouts.CONFIG,
                withPolicy.entries(KernelMap.CONFIG).get(Encode.u32(0)).toArray());
        assertThat(c2.u32("policy_generation")).isNotEqualTo(generation);
    }

    @Test
    void l7ServicesAreFlaggedForTheNodeProxy() {
        MeshState s = MeshState.builder()
                .service(new Service(
                        "shop",
                        "front",
                        List.of("10.96.0.40"),
                        List.of(ServicePort.tcp(80, 8080)),
                        List.of(Endpoint.ready("10.200.1.10", "")),
                        Map.of(),
                        LoadBalancing.RANDOM,
                        SessionAffinity.NONE,
                        ServiceLayer.L7))
                .build();
        MapPlan plan = planner.plan(s, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        assertThat(new KernelModel(plan)
                        .service("10.96.0.40", 80, KernelAbi.PROTO_TCP)
                        .orElseThrow()
                        .flags())
                .isEqualTo(KernelAbi.SVC_F_L7);
    }

    @Test
    void overCapacityIsAViolationAndPlanningRefusesIt() {
        MapPlanner tiny = new MapPlanner(new PlanLimits(1, 10, 10, 10, 10, 10, 10, 7), PlacementResolver.NONE);
        MeshState two = state(apiEndpoints(), LoadBalancing.RANDOM).toBuilder()
                .service(new Service(
                        "shop",
                        "b",
                        List.of("10.96.0.50"),
                        List.of(ServicePort.tcp(80, 80)),
                        List.of(),
                        Map.of("app", "web"),
                        LoadBalancing.RANDOM,
                        SessionAffinity.NONE,
                        ServiceLayer.L4))
                .build();
        assertThat(tiny.validate(two))
                .extracting(Object::toString)
                .contains("services: 2 services exceed ebpf.maxServices = 1");
        assertThatThrownBy(() -> tiny.plan(two, "n1", KernelConfig.DEFAULT, Allocations.NONE))
                .hasMessage("no free service id: all 1 are taken");
    }
}
