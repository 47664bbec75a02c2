package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference semantics every backend implements: endpoint resolution and the policy table. */
class MeshIndexTest {
    private static final String A = "spiffe://cluster.local/ns/shop/sa/a";
    private static final String B = "spiffe://cluster.local/ns/shop/sa/b";
    private static final String WEB = "spiffe://cluster.local/ns/shop/sa/web";
    private static final String DB = "spiffe://cluster.local/ns/shop/sa/db";

    private static Workload pod(String name, String identity, Map<String, String> labels, String... ips) {
        return new Workload("shop", name, "n1", List.of(ips), identity, labels, null);
    }

    private static Service service(String name, String vip, List<Endpoint> endpoints, Map<String, String> selector) {
        return new Service(
                "shop",
                name,
                List.of(vip),
                List.of(ServicePort.tcp(80, 8080), ServicePort.udp(53, 53)),
                endpoints,
                selector,
                null,
                null,
                ServiceLayer.L4);
    }

    private final MeshState state = MeshState.builder()
            .node(Node.of("n1", "192.168.0.1", "10.1.0.0/24"))
            .workload(pod("web-1", WEB, Map.of("app", "web", "tier", "front"), "10.1.0.2", "fd00::2"))
            .workload(pod("api", B, Map.of("app", "api"), "10.1.0.3"))
            .workload(pod("web-2", WEB, Map.of("app", "web"), "10.1.0.4"))
            .service(service("web", "10.96.0.1", List.of(), Map.of("app", "web")))
            .service(service("front", "fd00:96::1", List.of(), Map.of("app", "web", "tier", "front")))
            .service(service(
                    "listed",
                    "10.96.0.3",
                    List.of(
                            Endpoint.ready("10.1.0.3", "shop/api"),
                            new Endpoint("10.1.0.9", "", EndpointState.TERMINATING),
                            new Endpoint("10.1.0.10", "", EndpointState.NOT_READY)),
                    Map.of()))
            .build();
    private final MeshIndex index = state.index();

    @Test
    void aSelectorYieldsOneReadyEndpointPerAddressOfEveryMatchingWorkloadInWorkloadOrder() {
        assertThat(index.endpoints(index.service("shop/web").orElseThrow()))
                .containsExactly(
                        Endpoint.ready("10.1.0.2", "shop/web-1"),
                        Endpoint.ready("fd00::2", "shop/web-1"),
                        Endpoint.ready("10.1.0.4", "shop/web-2"));
        // Every selector label must match; extra labels on the workload do not matter.
        assertThat(index.endpoints(index.service("shop/front").orElseThrow()))
                .extracting(Endpoint::workload)
                .containsExactly("shop/web-1", "shop/web-1");
    }

    @Test
    void listedEndpointsAreTakenAsGivenAndOnlyReadyOnesTakeNewConnections() {
        Service listed = index.service("shop/listed").orElseThrow();
        assertThat(index.endpoints(listed)).hasSize(3);
        assertThat(index.readyEndpoints(listed)).containsExactly(Endpoint.ready("10.1.0.3", "shop/api"));
    }

    @Test
    void vipLookupUsesCanonicalAddressesPortAndProtocol() {
        assertThat(index.serviceByVip("fd00:96:0:0::1", 80, Protocol.TCP))
                .map(Service::key)
                .contains("shop/front");
        assertThat(index.serviceByVip("10.96.0.1", 53, Protocol.UDP))
                .map(Service::key)
                .contains("shop/web");
        assertThat(index.serviceByVip("10.96.0.1", 53, Protocol.TCP)).isEmpty();
        assertThat(index.serviceByVip("10.96.0.1", 81, Protocol.TCP)).isEmpty();
        assertThat(index.serviceByVip("10.96.0.2", 80, Protocol.TCP)).isEmpty();
    }

    @Test
    void identityIsTheWorkloadsOrHostOutsideEveryWorkload() {
        assertThat(index.identityOf("fd00:0::2")).isEqualTo(WEB);
        assertThat(index.workloadByIp("10.1.0.3")).map(Workload::key).contains("shop/api");
        assertThat(index.identityOf("192.168.0.1")).isEqualTo(Identities.HOST);
    }

    // --- allows(): the policy table ---------------------------------------------------------------------------------

    private static Policy allow(
            String name, List<String> sources, List<String> destinations, List<String> services, List<Integer> ports) {
        return new Policy("shop", name, PolicyAction.ALLOW, sources, destinations, services, ports, List.of());
    }

    private static Policy deny(
            String name, List<String> sources, List<String> destinations, List<String> services, List<Integer> ports) {
        return new Policy("shop", name, PolicyAction.DENY, sources, destinations, services, ports, List.of());
    }

    /** One row: policies, a connection (source, destination identity, service, port), and the verdict. */
    private static Arguments row(
            String description,
            List<Policy> policies,
            String source,
            String destination,
            String service,
            int port,
            boolean allowed) {
        return Arguments.of(Named.of(description, policies), source, destination, service, port, allowed);
    }

    static Stream<Arguments> table() {
        Policy allowAToWebService = allow("a-web", List.of(A), List.of(), List.of("shop/web"), List.of());
        Policy allowAToWebIdentity = allow("a-webid", List.of(A), List.of(WEB), List.of(), List.of());
        Policy denyBToWeb = deny("b-web", List.of(B), List.of(), List.of("shop/web"), List.of());
        return Stream.of(
                row("no policy: everything goes", List.of(), A, WEB, "shop/web", 8080, true),
                row("no policy: host too", List.of(), Identities.HOST, WEB, "", 8080, true),
                row("deny matches", List.of(denyBToWeb), B, WEB, "shop/web", 8080, false),
                row("deny for another source", List.of(denyBToWeb), A, WEB, "shop/web", 8080, true),
                row("deny by service, reached directly", List.of(denyBToWeb), B, WEB, "", 8080, true),
                row("allow matches", List.of(allowAToWebService), A, WEB, "shop/web", 8080, true),
                row(
                        "allow selects web: other source denied",
                        List.of(allowAToWebService),
                        B,
                        WEB,
                        "shop/web",
                        8080,
                        false),
                row(
                        "allow selects web: host denied",
                        List.of(allowAToWebService),
                        Identities.HOST,
                        WEB,
                        "shop/web",
                        8080,
                        false),
                row(
                        "allow by service: same pods through another service are not selected",
                        List.of(allowAToWebService),
                        B,
                        WEB,
                        "shop/other",
                        8080,
                        true),
                row(
                        "allow by identity covers direct connections",
                        List.of(allowAToWebIdentity),
                        B,
                        WEB,
                        "",
                        8080,
                        false),
                row("allow by identity, matching source, direct", List.of(allowAToWebIdentity), A, WEB, "", 8080, true),
                row(
                        "allow by identity leaves other destinations open",
                        List.of(allowAToWebIdentity),
                        B,
                        DB,
                        "",
                        5432,
                        true),
                row(
                        "allow limited to a port: other port denied",
                        List.of(allow("a-8080", List.of(A), List.of(WEB), List.of(), List.of(8080))),
                        A,
                        WEB,
                        "",
                        9090,
                        false),
                row(
                        "allow limited to a port: that port allowed",
                        List.of(allow("a-8080", List.of(A), List.of(WEB), List.of(), List.of(8080))),
                        A,
                        WEB,
                        "",
                        8080,
                        true),
                row(
                        "deny wins over a matching allow",
                        List.of(allowAToWebService, deny("a-web-deny", List.of(A), List.of(WEB), List.of(), List.of())),
                        A,
                        WEB,
                        "shop/web",
                        8080,
                        false),
                row(
                        "allow from * admits host",
                        List.of(allow("any-web", List.of(Identities.ANY), List.of(WEB), List.of(), List.of())),
                        Identities.HOST,
                        WEB,
                        "",
                        8080,
                        true),
                row(
                        "allow with no sources admits anyone",
                        List.of(allow("any-web", List.of(), List.of(WEB), List.of(), List.of())),
                        B,
                        WEB,
                        "",
                        8080,
                        true),
                row(
                        "allow with no destination selects every destination",
                        List.of(allow("a-all", List.of(A), List.of(), List.of(), List.of())),
                        B,
                        DB,
                        "",
                        5432,
                        false),
                row(
                        "deny host",
                        List.of(deny("no-host", List.of(Identities.HOST), List.of(), List.of(), List.of())),
                        Identities.HOST,
                        DB,
                        "",
                        5432,
                        false),
                row(
                        "two allows: either may match",
                        List.of(
                                allowAToWebService,
                                allow("b-web", List.of(B), List.of(), List.of("shop/web"), List.of())),
                        B,
                        WEB,
                        "shop/web",
                        8080,
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void allowsTable(
            List<Policy> policies, String source, String destination, String service, int port, boolean allowed) {
        MeshState s = MeshState.builder().build();
        MeshState withPolicies =
                new MeshState(s.nodes(), s.workloads(), s.services(), policies, s.routes(), s.encryption());
        assertThat(withPolicies.index().allows(source, destination, service, port))
                .isEqualTo(allowed);
    }

    // --- properties -------------------------------------------------------------------------------------------------

    private static final List<String> IDS = List.of(A, B, WEB, DB, Identities.HOST);

    @Provide
    Arbitrary<Policy> policies() {
        Arbitrary<List<String>> ids = Arbitraries.of(IDS).list().ofMaxSize(2);
        Arbitrary<List<String>> services =
                Arbitraries.of("shop/web", "shop/db").list().ofMaxSize(1);
        Arbitrary<List<Integer>> ports = Arbitraries.of(8080, 5432).list().ofMaxSize(1);
        return Combinators.combine(Arbitraries.of(PolicyAction.class), ids, ids, services, ports)
                .as((action, src, dst, svc, p) -> new Policy("shop", "p", action, src, dst, svc, p, List.of()));
    }

    private static boolean allows(List<Policy> policies, String src, String dst, String svc, int port) {
        return new MeshState(List.of(), List.of(), List.of(), policies, List.of(), null)
                .index()
                .allows(src, dst, svc, port);
    }

    @Property(tries = 300)
    void addingADenyNeverAllowsMore(
            @ForAll("policyLists") List<Policy> policies,
            @ForAll("policies") Policy extra,
            @ForAll("ids") String src,
            @ForAll("ids") String dst,
            @ForAll boolean viaService) {
        Policy denial = new Policy(
                extra.namespace(),
                extra.name(),
                PolicyAction.DENY,
                extra.sources(),
                extra.destinations(),
                extra.services(),
                extra.ports(),
                List.of());
        List<Policy> more = new ArrayList<>(policies);
        more.add(denial);
        String svc = viaService ? "shop/web" : "";
        if (!allows(policies, src, dst, svc, 8080))
            assertThat(allows(more, src, dst, svc, 8080)).isFalse();
    }

    @Property(tries = 300)
    void aMatchingDenyAlwaysWins(
            @ForAll("policyLists") List<Policy> policies, @ForAll("ids") String src, @ForAll("ids") String dst) {
        List<Policy> more = new ArrayList<>(policies);
        more.add(new Policy(
                "shop", "deny-all", PolicyAction.DENY, List.of(src), List.of(dst), List.of(), List.of(), List.of()));
        assertThat(allows(more, src, dst, "", 8080)).isFalse();
    }

    @Provide
    Arbitrary<List<Policy>> policyLists() {
        return policies().list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.of(IDS);
    }
}
