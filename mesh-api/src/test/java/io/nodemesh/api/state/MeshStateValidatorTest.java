package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * One test per rule of {@link MeshState#validate()}: a valid state broken in one place yields exactly the expected
 * violation, at the exact path. (Random states and random corruptions are in mesh-config's property tests.)
 */
class MeshStateValidatorTest {
    static final String WEB_ID = "spiffe://cluster.local/ns/shop/sa/web";
    static final String CART_ID = "spiffe://cluster.local/ns/shop/sa/cart";
    static final String KEY = "2hJ1ZL3l+2zS4xRK7BvY0Gq6kfN4Lg6G/5B1Mv7fU0E=";

    static Node nodeA = new Node("node-a", List.of("192.168.0.1"), List.of("10.1.0.0/24"), KEY);
    static Node nodeB = Node.of("node-b", "192.168.0.2", "10.2.0.0/24");
    static Workload web =
            new Workload("shop", "web-1", "node-a", List.of("10.1.0.10"), WEB_ID, Map.of("app", "web"), null);
    static Workload cart =
            new Workload("shop", "cart-1", "node-b", List.of("10.2.0.11"), CART_ID, Map.of("app", "cart"), null);
    static Service webSvc = new Service(
            "shop",
            "web",
            List.of("10.96.0.10"),
            List.of(ServicePort.tcp(80, 8080)),
            List.of(),
            Map.of("app", "web"),
            LoadBalancing.MAGLEV,
            SessionAffinity.clientIp(Duration.ofMinutes(30)),
            ServiceLayer.L7);
    static Service cartSvc = new Service(
            "shop",
            "cart",
            List.of("10.96.0.12"),
            List.of(ServicePort.tcp(9090, 9090)),
            List.of(Endpoint.ready("10.2.0.11", "shop/cart-1")),
            Map.of(),
            LoadBalancing.ROUND_ROBIN,
            SessionAffinity.NONE,
            ServiceLayer.L4);
    static Policy allow = new Policy(
            "shop",
            "cart-from-web",
            PolicyAction.ALLOW,
            List.of(WEB_ID, "host"),
            List.of(CART_ID),
            List.of("shop/cart"),
            List.of(9090),
            List.of());
    static HttpRouteRule rule = new HttpRouteRule(
            List.of(HttpMatch.path(PathMatch.prefix("/api"))),
            List.of(new WeightedBackend("shop/web", 80, 1)),
            Duration.ofSeconds(2),
            new RetryPolicy(2, Duration.ofMillis(500), List.of("5xx")));
    static HttpRoute route = new HttpRoute("shop", "web", "shop/web", List.of(rule));

    static MeshState valid() {
        return new MeshState(
                List.of(nodeA, nodeB),
                List.of(web, cart),
                List.of(webSvc, cartSvc),
                List.of(allow),
                List.of(route),
                new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.STRICT, "cluster.local"));
    }

    @Test
    void theFixtureIsValid() {
        assertThat(valid().validate()).isEmpty();
        assertThat(MeshState.EMPTY.validate()).isEmpty();
    }

    // ---- nodes

    @Test
    void nodeNameMustBeADnsName() {
        expect(
                nodes(n -> n == nodeB ? new Node("Node_B", n.addresses(), n.podCidrs(), "") : n),
                "nodes[Node_B].name",
                "'Node_B' is not a valid node name",
                "workloads[shop/cart-1].node");
    }

    @Test
    void nodeNamesAreUnique() {
        MeshState s = withNodes(nodeA, new Node("node-a", List.of("192.168.0.2"), List.of("10.2.0.0/24"), ""));
        expect(
                s.toBuilder().build(),
                "nodes[node-a].name",
                "duplicate node name 'node-a'",
                "workloads[shop/cart-1].node");
    }

    @Test
    void nodeAddressesAreIps() {
        expect(
                nodes(n -> n == nodeB ? Node.of("node-b", "192.168.0.300", "10.2.0.0/24") : n),
                "nodes[node-b].addresses[0]",
                "'192.168.0.300' is not an IPv4 or IPv6 address");
    }

    @Test
    void podCidrsAreCidrs() {
        for (String bad : List.of("10.2.0.0", "10.2.0.0/33", "10.2.0/24", "fd00::/129", "10.2.0.0/x")) {
            expect(
                    nodes(n -> n == nodeB ? Node.of("node-b", "192.168.0.2", bad) : n),
                    "nodes[node-b].podCidrs[0]",
                    "'" + bad + "' is not a CIDR");
        }
    }

    @Test
    void podCidrsOfDifferentNodesMustNotOverlap() {
        expect(
                nodes(n -> n == nodeB ? Node.of("node-b", "192.168.0.2", "10.1.0.128/25") : n),
                "nodes[node-b].podCidrs[0]",
                "10.1.0.128/25 overlaps the pod CIDR of node node-a",
                "workloads[shop/cart-1].ips[0]");
    }

    /** Found by review: an unnamed node whose CIDR overlaps another's made validate() throw a NullPointerException. */
    @Test
    void anUnnamedNodeWithAnOverlappingCidrIsReportedNotThrown() {
        MeshState s = new MeshState(
                List.of(
                        new Node(null, List.of(), List.of("10.1.0.0/24"), ""),
                        Node.of("node-b", "192.168.0.2", "10.1.0.0/16")),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null);
        assertThat(s.validate())
                .extracting(Violation::path)
                .containsExactly("nodes[0].name", "nodes[node-b].podCidrs[0]");
    }

    @Test
    void wireguardKeysAre32BytesOfBase64() {
        for (String bad : List.of("not-a-key", KEY.substring(1), "AAAA")) {
            expect(
                    nodes(n -> n == nodeA ? n.withWireguardPublicKey(bad) : n),
                    "nodes[node-a].wireguardPublicKey",
                    "not a WireGuard key");
        }
    }

    // ---- workloads

    @Test
    void workloadNamesAreDnsLabels() {
        expect(
                workloads(w -> w == web
                        ? new Workload("Shop", "web_1", w.node(), w.ips(), w.identity(), w.labels(), null)
                        : w),
                "workloads[Shop/web_1].namespace",
                "'Shop' is not a DNS label",
                "workloads[Shop/web_1].name");
    }

    @Test
    void workloadsAreUnique() {
        expect(
                workloads(w -> w == cart
                        ? new Workload("shop", "web-1", w.node(), w.ips(), w.identity(), w.labels(), null)
                        : w),
                "workloads[shop/web-1]",
                "duplicate workload shop/web-1",
                "services[shop/cart].endpoints[0].workload");
    }

    @Test
    void workloadNodeMustExist() {
        expect(
                workloads(w -> w == web
                        ? new Workload("shop", "web-1", "node-c", w.ips(), w.identity(), w.labels(), null)
                        : w),
                "workloads[shop/web-1].node",
                "unknown node 'node-c'");
    }

    @Test
    void workloadNeedsAnIp() {
        expect(
                workloads(w -> w == web
                        ? new Workload("shop", "web-1", w.node(), List.of(), w.identity(), w.labels(), null)
                        : w),
                "workloads[shop/web-1].ips",
                "a workload needs at least one IP");
    }

    @Test
    void workloadIpsAreIps() {
        for (String bad : List.of("10.1.0.256", "10.1.0", "web-1.shop", "fd00::1::2", "10.1.0.10/32", "")) {
            expect(
                    workloads(w -> w == web
                            ? new Workload("shop", "web-1", w.node(), List.of(bad), w.identity(), w.labels(), null)
                            : w),
                    "workloads[shop/web-1].ips[0]",
                    "is not an IPv4 or IPv6 address");
        }
    }

    @Test
    void workloadIpsAreUniqueAcrossWorkloads() {
        expect(
                workloads(w -> w == cart
                        ? new Workload("shop", "cart-1", w.node(), List.of("10.1.0.10"), w.identity(), w.labels(), null)
                        : w),
                "workloads[shop/cart-1].ips[0]",
                "10.1.0.10 is already the address of workload shop/web-1");
    }

    /** Found by review: the same address listed twice in one workload was accepted. */
    @Test
    void workloadIpsAreUniqueWithinAWorkload() {
        expect(
                workloads(w -> w == web
                        ? new Workload(
                                "shop",
                                "web-1",
                                w.node(),
                                List.of("fd00:1::a", "10.1.0.10", "FD00:1:0::A"),
                                w.identity(),
                                w.labels(),
                                null)
                        : w),
                "workloads[shop/web-1].ips[2]",
                "duplicate address FD00:1:0::A");
    }

    @Test
    void identityIsASpiffeId() {
        for (String bad :
                List.of("web", "spiffe://", "spiffe://Cluster.Local/ns/shop", "https://cluster.local/ns/shop/sa/web")) {
            MeshState s = workloads(
                    w -> w == cart ? new Workload("shop", "cart-1", w.node(), w.ips(), bad, w.labels(), null) : w);
            // The policy naming cart's identity now names an unknown one too.
            expect(
                    s,
                    "workloads[shop/cart-1].identity",
                    "is not a SPIFFE id",
                    "policies[shop/cart-from-web].destinations[0]");
        }
    }

    @Test
    void identitiesUnderNodemeshAreReservedForNodes() {
        String td = MeshState.EMPTY.encryption().trustDomain();
        MeshState s = workloads(w -> w == cart
                ? new Workload(
                        "shop", "cart-1", w.node(), w.ips(), "spiffe://" + td + "/nodemesh/node/n1", w.labels(), null)
                : w);
        // The policy naming cart's old identity now names an unknown one too.
        expect(
                s,
                "workloads[shop/cart-1].identity",
                "is under spiffe://" + td + "/nodemesh/, which is reserved for nodemesh's node identities",
                "policies[shop/cart-from-web].destinations[0]");
    }

    // ---- services

    @Test
    void serviceNamesAreDnsLabels() {
        expect(
                services(v -> v == cartSvc ? rename(v, "shop", "Cart") : v),
                "services[shop/Cart].name",
                "'Cart' is not a DNS label",
                "policies[shop/cart-from-web].services[0]");
    }

    @Test
    void servicesAreUnique() {
        expect(
                services(v -> v == cartSvc
                        ? new Service(
                                "shop",
                                "web",
                                v.vips(),
                                v.ports(),
                                v.endpoints(),
                                v.selector(),
                                v.loadBalancing(),
                                v.affinity(),
                                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4)
                        : v),
                "services[shop/web]",
                "duplicate service shop/web",
                "policies[shop/cart-from-web].services[0]");
    }

    @Test
    void serviceNeedsAVip() {
        expect(
                services(v -> v == cartSvc ? vips(v, List.of()) : v),
                "services[shop/cart].vips",
                "a service needs at least one VIP");
    }

    @Test
    void vipsAreIps() {
        expect(
                services(v -> v == cartSvc ? vips(v, List.of("10.96.0.1000")) : v),
                "services[shop/cart].vips[0]",
                "'10.96.0.1000' is not an IPv4 or IPv6 address");
    }

    @Test
    void vipsDoNotCollideBetweenServices() {
        expect(
                services(v -> v == cartSvc ? vips(v, List.of("10.96.0.10")) : v),
                "services[shop/cart].vips[0]",
                "10.96.0.10 is already a VIP of service shop/web");
    }

    @Test
    void vipsCollideWhateverTheirSpelling() {
        MeshState s = services(v ->
                v == webSvc ? vips(v, List.of("fd00:96::a")) : v == cartSvc ? vips(v, List.of("FD00:96:0:0::A")) : v);
        expect(s, "services[shop/cart].vips[0]", "FD00:96:0:0::A is already a VIP of service shop/web");
    }

    /** Found by review: the same VIP listed twice in one service was accepted. */
    @Test
    void vipsAreUniqueWithinAService() {
        expect(
                services(v -> v == cartSvc ? vips(v, List.of("10.96.0.12", "10.96.0.12")) : v),
                "services[shop/cart].vips[1]",
                "duplicate VIP 10.96.0.12");
    }

    @Test
    void vipIsNotAWorkloadAddress() {
        expect(
                services(v -> v == cartSvc ? vips(v, List.of("10.1.0.10")) : v),
                "services[shop/cart].vips[0]",
                "10.1.0.10 is the address of workload shop/web-1");
    }

    @Test
    void serviceNeedsAPort() {
        expect(
                services(v -> v == cartSvc ? ports(v, List.of()) : v),
                "services[shop/cart].ports",
                "a service needs at least one port");
    }

    @Test
    void portsAreInRange() {
        expect(
                services(v -> v == cartSvc ? ports(v, List.of(ServicePort.tcp(0, 9090))) : v),
                "services[shop/cart].ports[0].port",
                "0 is outside 1..65535");
        expect(
                services(v -> v == cartSvc ? ports(v, List.of(ServicePort.tcp(65536, 9090))) : v),
                "services[shop/cart].ports[0].port",
                "65536 is outside 1..65535");
        expect(
                services(v -> v == cartSvc ? ports(v, List.of(ServicePort.tcp(9090, 70000))) : v),
                "services[shop/cart].ports[0].targetPort",
                "70000 is outside 1..65535");
        expect(
                services(v -> v == cartSvc ? ports(v, List.of(ServicePort.tcp(9090, -1))) : v),
                "services[shop/cart].ports[0].targetPort",
                "-1 is outside 1..65535");
    }

    @Test
    void portsAreUniquePerProtocol() {
        expect(
                services(v ->
                        v == cartSvc ? ports(v, List.of(ServicePort.tcp(9090, 9090), ServicePort.tcp(9090, 9091))) : v),
                "services[shop/cart].ports[1].port",
                "duplicate port 9090/TCP");
        // The same number over UDP is another port.
        assertThat(services(v -> v == cartSvc ? ports(v, List.of(ServicePort.tcp(53, 53), ServicePort.udp(53, 53))) : v)
                        .validate())
                .isEmpty();
    }

    @Test
    void l7ServicesAreTcp() {
        expect(
                services(v -> v == webSvc ? ports(v, List.of(ServicePort.udp(80, 8080))) : v),
                "services[shop/web].ports[0].protocol",
                "an L7 service is HTTP over TCP, not UDP");
    }

    @Test
    void endpointsOrSelectorNotBoth() {
        expect(
                services(v -> v == cartSvc
                        ? new Service(
                                "shop",
                                "cart",
                                v.vips(),
                                v.ports(),
                                v.endpoints(),
                                Map.of("app", "cart"),
                                v.loadBalancing(),
                                v.affinity(),
                                ServiceLayer.L4)
                        : v),
                "services[shop/cart].selector",
                "give either endpoints or a selector, not both");
    }

    @Test
    void endpointIpsAreIpsAndUnique() {
        expect(
                services(v -> v == cartSvc ? v.withEndpoints(List.of(Endpoint.ready("10.2.0.x", ""))) : v),
                "services[shop/cart].endpoints[0].ip",
                "'10.2.0.x' is not an IPv4 or IPv6 address");
        expect(
                services(v -> v == cartSvc
                        ? v.withEndpoints(
                                List.of(Endpoint.ready("10.2.0.11", "shop/cart-1"), Endpoint.ready("10.2.0.11", "")))
                        : v),
                "services[shop/cart].endpoints[1].ip",
                "duplicate endpoint 10.2.0.11");
    }

    @Test
    void endpointWorkloadMustExist() {
        expect(
                services(v -> v == cartSvc ? v.withEndpoints(List.of(Endpoint.ready("10.2.0.11", "shop/cart-2"))) : v),
                "services[shop/cart].endpoints[0].workload",
                "unknown workload 'shop/cart-2'");
    }

    @Test
    void affinityTimeoutIsNotNegative() {
        expect(
                services(v -> v == webSvc ? v.withAffinity(SessionAffinity.clientIp(Duration.ofSeconds(-1))) : v),
                "services[shop/web].affinity.timeout",
                "must not be negative");
    }

    // ---- policies

    @Test
    void policyNamesAreDnsLabelsAndUnique() {
        expect(
                policies(List.of(
                        allow,
                        new Policy(
                                "shop",
                                "cart-from-web",
                                PolicyAction.DENY,
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of()))),
                "policies[shop/cart-from-web]",
                "duplicate policy shop/cart-from-web");
        expect(
                policies(List.of(new Policy(
                        "shop", "", PolicyAction.DENY, List.of(), List.of(), List.of(), List.of(), List.of()))),
                "policies[0].name",
                "'' is not a DNS label");
    }

    @Test
    void policySourcesAreKnownIdentitiesHostOrAny() {
        assertThat(policies(List.of(policy(List.of("host", "*", CART_ID), List.of(), List.of(), List.of())))
                        .validate())
                .isEmpty();
        expect(
                policies(List.of(policy(
                        List.of(WEB_ID, "spiffe://cluster.local/ns/shop/sa/frontend"),
                        List.of(),
                        List.of(),
                        List.of()))),
                "policies[shop/p].sources[1]",
                "unknown identity 'spiffe://cluster.local/ns/shop/sa/frontend'");
    }

    @Test
    void policyDestinationsAreKnownIdentities() {
        expect(
                policies(List.of(policy(List.of(), List.of("host"), List.of(), List.of()))),
                "policies[shop/p].destinations[0]",
                "unknown identity 'host'");
    }

    @Test
    void policyServicesMustExist() {
        expect(
                policies(List.of(policy(List.of(), List.of(), List.of("shop/cart", "shop/carts"), List.of()))),
                "policies[shop/p].services[1]",
                "unknown service 'shop/carts'");
    }

    @Test
    void policyPortsAreInRange() {
        expect(
                policies(List.of(policy(List.of(), List.of(), List.of(), List.of(80, 0)))),
                "policies[shop/p].ports[1]",
                "0 is outside 1..65535");
    }

    @Test
    void policyHttpPathsAreAbsoluteAndRegexesCompile() {
        expect(
                policies(List.of(httpPolicy(HttpMatch.path(PathMatch.prefix("admin"))))),
                "policies[shop/p].http[0].path.value",
                "'admin' must start with '/'");
        expect(
                policies(List.of(httpPolicy(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "/v[0-9+"))))),
                "policies[shop/p].http[0].path.value",
                "invalid regular expression");
    }

    /** Found by review: HTTP conditions on a service no proxy sees were silently never enforced. */
    @Test
    void policyHttpConditionsNeedL7Services() {
        Policy p = new Policy(
                "shop",
                "p",
                PolicyAction.DENY,
                List.of(),
                List.of(),
                List.of("shop/web", "shop/cart"),
                List.of(),
                List.of(HttpMatch.path(PathMatch.prefix("/admin"))));
        expect(
                policies(List.of(p)),
                "policies[shop/p].services[1]",
                "service shop/cart is not marked l7, so no proxy could check this policy's http conditions");
    }

    @Test
    void httpMethodsAndHeaderNamesAreTokens() {
        expect(
                policies(List.of(httpPolicy(new HttpMatch(PathMatch.prefix("/"), "GET /", Map.of())))),
                "policies[shop/p].http[0].method",
                "'GET /' is not an HTTP method");
        expect(
                policies(List.of(httpPolicy(new HttpMatch(PathMatch.prefix("/"), "", Map.of("x canary", "1"))))),
                "policies[shop/p].http[0].headers.x canary",
                "'x canary' is not an HTTP header name");
        assertThat(policies(List.of(httpPolicy(new HttpMatch(PathMatch.prefix("/"), "PATCH", Map.of("X-Canary", "")))))
                        .validate())
                .isEmpty();
    }

    // ---- routes

    @Test
    void routeNamesAreUnique() {
        expect(routes(List.of(route, route)), "routes[shop/web]", "duplicate route shop/web");
    }

    @Test
    void routeServiceMustExistAndBeL7() {
        expect(
                routes(List.of(new HttpRoute("shop", "web", "shop/webb", List.of(rule)))),
                "routes[shop/web].service",
                "unknown service 'shop/webb'");
        expect(
                routes(List.of(new HttpRoute("shop", "web", "shop/cart", List.of(rule)))),
                "routes[shop/web].service",
                "service shop/cart is not marked l7");
    }

    @Test
    void routeNeedsRulesAndRulesNeedBackends() {
        expect(
                routes(List.of(new HttpRoute("shop", "web", "shop/web", List.of()))),
                "routes[shop/web].rules",
                "a route needs at least one rule");
        expect(
                withRule(r -> new HttpRouteRule(r.matches(), List.of(), r.timeout(), r.retries())),
                "routes[shop/web].rules[0].backends",
                "a rule needs at least one backend");
    }

    @Test
    void routeBackendsMustExist() {
        expect(
                withRule(r ->
                        backends(r, new WeightedBackend("shop/web", 80, 1), new WeightedBackend("shop/search", 0, 1))),
                "routes[shop/web].rules[0].backends[1].service",
                "unknown service 'shop/search'");
    }

    @Test
    void routeWeightsAreNotNegativeAndNotAllZero() {
        expect(
                withRule(r ->
                        backends(r, new WeightedBackend("shop/web", 0, -1), new WeightedBackend("shop/cart", 0, 2))),
                "routes[shop/web].rules[0].backends[0].weight",
                "-1 is negative");
        expect(
                withRule(r ->
                        backends(r, new WeightedBackend("shop/web", 0, 0), new WeightedBackend("shop/cart", 0, 0))),
                "routes[shop/web].rules[0].backends",
                "weights add up to 0: no backend would get traffic");
    }

    @Test
    void routeBackendPortsAreInRange() {
        expect(
                withRule(r -> backends(r, new WeightedBackend("shop/web", 65536, 1))),
                "routes[shop/web].rules[0].backends[0].port",
                "65536 is outside 1..65535");
    }

    /** Found by review: a backend port the backend service does not expose was accepted. */
    @Test
    void routeBackendPortMustBeAPortOfTheBackend() {
        expect(
                withRule(r -> backends(r, new WeightedBackend("shop/cart", 80, 1))),
                "routes[shop/web].rules[0].backends[0].port",
                "service shop/cart has no port 80 (it has [9090])");
    }

    @Test
    void routeTimeoutsAndRetriesAreNotNegative() {
        expect(
                withRule(r -> new HttpRouteRule(r.matches(), r.backends(), Duration.ofMillis(-1), r.retries())),
                "routes[shop/web].rules[0].timeout",
                "must not be negative");
        expect(
                withRule(r -> new HttpRouteRule(
                        r.matches(), r.backends(), r.timeout(), new RetryPolicy(-1, Duration.ZERO, List.of()))),
                "routes[shop/web].rules[0].retries.attempts",
                "-1 is negative");
        expect(
                withRule(r -> new HttpRouteRule(
                        r.matches(), r.backends(), r.timeout(), new RetryPolicy(1, Duration.ofSeconds(-1), List.of()))),
                "routes[shop/web].rules[0].retries.perTryTimeout",
                "must not be negative");
    }

    @Test
    void routeFaultsAreValidPercentagesStatusesAndDelays() {
        String at = "routes[shop/web].rules[0].fault";
        expect(
                withRule(r -> r.withFault(new HttpFault(Duration.ofMillis(-1), 10, 0, 0))),
                at + ".delay",
                "must not be negative");
        expect(
                withRule(r -> r.withFault(HttpFault.delay(Duration.ofSeconds(1), 101))),
                at + ".delayPercent",
                "101 is not a percentage");
        expect(withRule(r -> r.withFault(HttpFault.abort(503, -1))), at + ".abortPercent", "-1 is not a percentage");
        expect(withRule(r -> r.withFault(HttpFault.abort(199, 50))), at + ".abortStatus", "199 is not an HTTP status");
        expect(withRule(r -> r.withFault(HttpFault.abort(600, 50))), at + ".abortStatus", "600 is not an HTTP status");
        expect(withRule(r -> r.withFault(HttpFault.abort(0, 50))), at + ".abortStatus", "0 is not an HTTP status");
        for (HttpFault fine : List.of(
                HttpFault.NONE,
                HttpFault.abort(200, 0),
                HttpFault.abort(599, 100),
                HttpFault.delay(Duration.ZERO, 100),
                new HttpFault(Duration.ofSeconds(3), 100, 503, 100))) {
            assertThat(withRule(r -> r.withFault(fine)).validate())
                    .as("%s", fine)
                    .isEmpty();
        }
    }

    @Test
    void aRuleWithoutAFaultHasNone() {
        assertThat(rule.fault()).isEqualTo(HttpFault.NONE);
        assertThat(rule.fault().active()).isFalse();
        assertThat(new HttpRouteRule(List.of(), List.of(), null, null, null).fault())
                .isEqualTo(HttpFault.NONE);
        assertThat(HttpFault.abort(503, 1).active()).isTrue();
        assertThat(HttpFault.delay(Duration.ZERO, 100).active())
                .as("a zero delay does nothing")
                .isFalse();
    }

    @Test
    void routeRegexesCompile() {
        expect(
                withRule(r -> new HttpRouteRule(
                        List.of(
                                HttpMatch.path(PathMatch.prefix("/")),
                                HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "(unclosed"))),
                        r.backends(),
                        r.timeout(),
                        r.retries())),
                "routes[shop/web].rules[0].matches[1].path.value",
                "invalid regular expression");
    }

    /** Found by review: Java-only regex constructs passed validation and would only fail in Envoy's RE2. */
    @Test
    void routeRegexesAvoidWhatRe2Lacks() {
        Map<String, String> cases = Map.of(
                "/(a)\\1",
                "a backreference",
                "/(?=v1).*",
                "a lookahead",
                "/(?<!x)y",
                "a lookbehind",
                "/(?>ab)c",
                "an atomic group",
                "/a++",
                "a possessive quantifier",
                "/(?<v>x)\\k<v>",
                "a named backreference");
        cases.forEach((regex, construct) -> expect(
                withRule(r -> new HttpRouteRule(
                        List.of(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, regex))),
                        r.backends(),
                        r.timeout(),
                        r.retries())),
                "routes[shop/web].rules[0].matches[0].path.value",
                "uses " + construct));
        for (String fine : List.of("/v[0-9]+/.*", "/a\\+\\+", "/[+]+", "/(?:ab)*?", "/(?i)users/\\d+", "/x{2,3}")) {
            assertThat(withRule(r -> new HttpRouteRule(
                                    List.of(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, fine))),
                                    r.backends(),
                                    r.timeout(),
                                    r.retries()))
                            .validate())
                    .as(fine)
                    .isEmpty();
        }
    }

    // ---- encryption

    @Test
    void trustDomainIsASpiffeTrustDomain() {
        MeshState s = valid().toBuilder()
                .encryption(new EncryptionSpec(
                        EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.PERMISSIVE, "Cluster Local"))
                .build();
        expect(s, "encryption.trustDomain", "'Cluster Local' is not a SPIFFE trust domain");
    }

    @Test
    void everyViolationIsReportedNotJustTheFirst() {
        MeshState s = new MeshState(
                List.of(Node.of("node-a", "bad", "bad")),
                List.of(new Workload("shop", "w", "nowhere", List.of("bad"), "bad", Map.of(), null)),
                List.of(new Service(
                        "shop",
                        "s",
                        List.of("bad"),
                        List.of(ServicePort.tcp(0, 0)),
                        List.of(),
                        Map.of(),
                        null,
                        null,
                        ServiceLayer.L4)),
                List.of(),
                List.of(),
                null);
        assertThat(s.validate())
                .extracting(Violation::path)
                .containsExactly(
                        "nodes[node-a].addresses[0]",
                        "nodes[node-a].podCidrs[0]",
                        "workloads[shop/w].node",
                        "workloads[shop/w].ips[0]",
                        "workloads[shop/w].identity",
                        "services[shop/s].vips[0]",
                        "services[shop/s].ports[0].port",
                        "services[shop/s].ports[0].targetPort");
    }

    // ---- addresses against pod CIDRs, one route per service

    @Test
    void aWorkloadAddressOutsideItsNodesPodCidrIsRejected() {
        expect(
                workloads(
                        w -> w == web ? w.toBuilder().ips(List.of("10.2.0.99")).build() : w),
                "workloads[shop/web-1].ips[0]",
                "10.2.0.99 is outside the pod CIDRs of node node-a (10.1.0.0/24): other nodes route and WireGuard"
                        + " allows only those towards it");
    }

    @Test
    void aNodeWithoutPodCidrsOrOfTheOtherFamilyConstrainsNothing() {
        MeshState moved =
                workloads(w -> w == web ? w.toBuilder().ips(List.of("10.9.0.1")).build() : w);
        Node noCidr = new Node("node-a", nodeA.addresses(), List.of(), KEY);
        assertThat(new MeshState(
                                List.of(noCidr, nodeB),
                                moved.workloads(),
                                moved.services(),
                                moved.policies(),
                                moved.routes(),
                                moved.encryption())
                        .validate())
                .isEmpty();
        // An IPv6 address on a node that declares only an IPv4 pod CIDR is not checked against it.
        assertThat(workloads(w -> w == web
                                ? w.toBuilder()
                                        .ips(List.of("10.1.0.10", "fd00::10"))
                                        .build()
                                : w)
                        .validate())
                .isEmpty();
    }

    @Test
    void twoRoutesForOneServiceAreRejected() {
        expect(
                routes(List.of(route, new HttpRoute("shop", "web-canary", "shop/web", List.of(rule)))),
                "routes[shop/web-canary].service",
                "service shop/web already has route shop/web; which of two routes wins is undefined");
    }

    // ---- helpers

    /**
     * {@code s} has a violation at {@code path} whose reason contains {@code reason}; every other violation is at one
     * of {@code alsoAt} (knock-on effects of the same mistake, such as a reference to a renamed object).
     */
    private static void expect(MeshState s, String path, String reason, String... alsoAt) {
        List<Violation> violations = s.validate();
        assertThat(violations).as("violations").anySatisfy(v -> {
            assertThat(v.path()).isEqualTo(path);
            assertThat(v.reason()).contains(reason);
        });
        List<String> allowed = new ArrayList<>(List.of(alsoAt));
        allowed.add(path);
        assertThat(violations)
                .extracting(Violation::path)
                .as("no unrelated violations")
                .allMatch(allowed::contains);
    }

    private static MeshState withNodes(Node... nodes) {
        MeshState v = valid();
        return new MeshState(List.of(nodes), v.workloads(), v.services(), v.policies(), v.routes(), v.encryption());
    }

    private static MeshState nodes(UnaryOperator<Node> change) {
        return withNodes(valid().nodes().stream().map(change).toArray(Node[]::new));
    }

    private static MeshState workloads(UnaryOperator<Workload> change) {
        MeshState v = valid();
        return new MeshState(
                v.nodes(),
                v.workloads().stream().map(change).toList(),
                v.services(),
                v.policies(),
                v.routes(),
                v.encryption());
    }

    private static MeshState services(UnaryOperator<Service> change) {
        MeshState v = valid();
        return new MeshState(
                v.nodes(),
                v.workloads(),
                v.services().stream().map(change).toList(),
                v.policies(),
                v.routes(),
                v.encryption());
    }

    private static MeshState policies(List<Policy> policies) {
        MeshState v = valid();
        return new MeshState(v.nodes(), v.workloads(), v.services(), policies, v.routes(), v.encryption());
    }

    private static MeshState routes(List<HttpRoute> routes) {
        MeshState v = valid();
        return new MeshState(v.nodes(), v.workloads(), v.services(), v.policies(), routes, v.encryption());
    }

    private static MeshState withRule(UnaryOperator<HttpRouteRule> change) {
        return routes(List.of(new HttpRoute("shop", "web", "shop/web", List.of(change.apply(rule)))));
    }

    private static HttpRouteRule backends(HttpRouteRule r, WeightedBackend... backends) {
        return new HttpRouteRule(r.matches(), List.of(backends), r.timeout(), r.retries());
    }

    private static Policy policy(
            List<String> sources, List<String> destinations, List<String> services, List<Integer> ports) {
        return new Policy("shop", "p", PolicyAction.ALLOW, sources, destinations, services, ports, List.of());
    }

    private static Policy httpPolicy(HttpMatch match) {
        return new Policy(
                "shop", "p", PolicyAction.DENY, List.of(), List.of(), List.of("shop/web"), List.of(), List.of(match));
    }

    private static Service rename(Service v, String namespace, String name) {
        return new Service(
                namespace,
                name,
                v.vips(),
                v.ports(),
                v.endpoints(),
                v.selector(),
                v.loadBalancing(),
                v.affinity(),
                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    private static Service vips(Service v, List<String> vips) {
        return new Service(
                v.namespace(),
                v.name(),
                vips,
                v.ports(),
                v.endpoints(),
                v.selector(),
                v.loadBalancing(),
                v.affinity(),
                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    private static Service ports(Service v, List<ServicePort> ports) {
        return new Service(
                v.namespace(),
                v.name(),
                v.vips(),
                ports,
                v.endpoints(),
                v.selector(),
                v.loadBalancing(),
                v.affinity(),
                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }
}
