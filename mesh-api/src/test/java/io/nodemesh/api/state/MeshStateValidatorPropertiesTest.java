package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Validation of arbitrary junk: whatever a hand-written or machine-made state contains (nulls, empty strings, half
 * addresses, bad regexes, negative numbers), {@code validate()} reports it rather than throwing, names a path in one of
 * the state's sections, and says the same thing every time. (Random <em>valid</em> states and their corruptions are
 * tested in mesh-config, next to the generators in mesh-contract, which depends on this module.)
 */
class MeshStateValidatorPropertiesTest {
    private static final List<String> TRICKY = List.of(
            "",
            " ",
            "a",
            "shop",
            "node-a",
            "a/b",
            "shop/web",
            "10.0.0.1",
            "10.0.0.256",
            "::",
            "fd00::1",
            "::ffff:10.0.0.1",
            "10.0.0.0/8",
            "10.0.0.0/33",
            "fd00::/129",
            "spiffe://cluster.local/ns/a/sa/b",
            "spiffe://",
            "*",
            "host",
            "(",
            "/a++",
            "/(?=x)",
            "]",
            "[",
            "/",
            "api",
            "GET",
            "x y",
            "2hJ1ZL3l+2zS4xRK7BvY0Gq6kfN4Lg6G/5B1Mv7fU0E=");

    @Property(tries = 400)
    void validateReportsJunkWithoutThrowing(@ForAll("junkStates") MeshState state) {
        List<Violation> violations = state.validate();
        assertThat(violations).allSatisfy(v -> {
            assertThat(v.path())
                    .matches("(?s)(nodes|workloads|services|policies|routes)\\[[^\\]]*\\].*|encryption\\..+");
            assertThat(v.reason()).isNotBlank();
        });
        assertThat(state.validate()).isEqualTo(violations);
    }

    @Property(tries = 200)
    void aWorkloadAddressIsAcceptedExactlyWhenItParses(@ForAll("text") String ip) {
        // A node without pod CIDRs: whether an address parses is all that decides here.
        MeshState s = MeshState.builder()
                .node(Node.builder("node-a").address("192.168.0.1").build())
                .workload(new Workload(
                        "shop", "w", "node-a", List.of(ip), "spiffe://cluster.local/ns/shop/sa/w", Map.of(), null))
                .build();
        boolean reported = s.validate().stream().anyMatch(v -> v.path().equals("workloads[shop/w].ips[0]"));
        assertThat(reported).as(ip).isEqualTo(IpAddresses.parse(ip).isEmpty());
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.of(TRICKY),
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.strings().withChars("0123456789.:/abcdef").ofMaxLength(20));
    }

    private Arbitrary<String> nullableText() {
        return text().injectNull(0.1);
    }

    private Arbitrary<List<String>> texts() {
        return text().list().ofMaxSize(3);
    }

    private Arbitrary<Integer> port() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-2, 70000), Arbitraries.of(0, 80, 65535, 65536));
    }

    private Arbitrary<Duration> duration() {
        return Arbitraries.longs().between(-100, 100).map(Duration::ofSeconds);
    }

    private Arbitrary<HttpMatch> match() {
        return Combinators.combine(
                        Arbitraries.of(PathMatch.Kind.class).injectNull(0.1),
                        nullableText(),
                        nullableText(),
                        Arbitraries.maps(text(), text()).ofMaxSize(2))
                .as((k, v, m, h) -> new HttpMatch(new PathMatch(k, v), m, h));
    }

    @Provide
    Arbitrary<MeshState> junkStates() {
        Arbitrary<Node> node = Combinators.combine(nullableText(), texts(), texts(), nullableText())
                .as(Node::new);
        Arbitrary<Workload> workload = Combinators.combine(
                        nullableText(),
                        nullableText(),
                        nullableText(),
                        texts(),
                        nullableText(),
                        Arbitraries.maps(text(), text()).ofMaxSize(2))
                .as((ns, n, node1, ips, id, labels) -> new Workload(ns, n, node1, ips, id, labels, null));
        Arbitrary<ServicePort> servicePort = Combinators.combine(
                        nullableText(), port(), port(), Arbitraries.of(Protocol.class))
                .as(ServicePort::new);
        Arbitrary<Endpoint> endpoint = Combinators.combine(
                        nullableText(), nullableText(), Arbitraries.of(EndpointState.class))
                .as(Endpoint::new);
        Arbitrary<Service> service = Combinators.combine(
                        nullableText(),
                        nullableText(),
                        texts(),
                        servicePort.list().ofMaxSize(3),
                        endpoint.list().ofMaxSize(3),
                        Arbitraries.maps(text(), text()).ofMaxSize(2),
                        duration(),
                        Arbitraries.of(false, true))
                .as((ns, n, vips, ports, eps, sel, aff, l7) -> new Service(
                        ns,
                        n,
                        vips,
                        ports,
                        eps,
                        sel,
                        LoadBalancing.RANDOM,
                        SessionAffinity.clientIp(aff),
                        l7 ? ServiceLayer.L7 : ServiceLayer.L4));
        Arbitrary<Policy> policy = Combinators.combine(
                        nullableText(),
                        nullableText(),
                        Arbitraries.of(PolicyAction.class),
                        texts(),
                        texts(),
                        texts(),
                        port().list().ofMaxSize(2),
                        match().list().ofMaxSize(2))
                .as(Policy::new);
        Arbitrary<WeightedBackend> backend = Combinators.combine(
                        nullableText(), port(), Arbitraries.integers().between(-3, 3))
                .as(WeightedBackend::new);
        Arbitrary<HttpRouteRule> rule = Combinators.combine(
                        match().list().ofMaxSize(2),
                        backend.list().ofMaxSize(3),
                        duration(),
                        Combinators.combine(Arbitraries.integers().between(-2, 3), duration(), texts())
                                .as(RetryPolicy::new))
                .as(HttpRouteRule::new);
        Arbitrary<HttpRoute> route = Combinators.combine(
                        nullableText(),
                        nullableText(),
                        nullableText(),
                        rule.list().ofMaxSize(2))
                .as(HttpRoute::new);
        Arbitrary<EncryptionSpec> encryption = Combinators.combine(
                        Arbitraries.of(EncryptionSpec.Mode.class),
                        Arbitraries.of(EncryptionSpec.Enforcement.class),
                        nullableText())
                .as(EncryptionSpec::new);
        return Combinators.combine(
                        node.list().ofMaxSize(3),
                        workload.list().ofMaxSize(3),
                        service.list().ofMaxSize(3),
                        policy.list().ofMaxSize(2),
                        route.list().ofMaxSize(2),
                        encryption)
                .as(MeshState::new);
    }
}
