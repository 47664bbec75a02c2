package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every state record has a builder that makes the same record as its canonical constructor, and a way back. */
class BuildersTest {
    @Test
    void aServiceBuiltIsTheServiceConstructed() {
        Service built = Service.builder("shop", "web")
                .vip("10.96.0.10")
                .tcp(80, 8080)
                .select("app", "web")
                .loadBalancing(LoadBalancing.MAGLEV)
                .clientIpAffinity(Duration.ofMinutes(5))
                .layer(ServiceLayer.L7)
                .build();
        Service constructed = new Service(
                "shop",
                "web",
                List.of("10.96.0.10"),
                List.of(ServicePort.tcp(80, 8080)),
                List.of(),
                Map.of("app", "web"),
                LoadBalancing.MAGLEV,
                SessionAffinity.clientIp(Duration.ofMinutes(5)),
                ServiceLayer.L7);
        assertThat(built).isEqualTo(constructed);
        assertThat(built.l7()).isTrue();
        assertThat(built.toBuilder().layer(ServiceLayer.L4).build().l7()).isFalse();
        assertThat(built.objectKey()).isEqualTo(ObjectKey.of("shop", "web"));
        assertThat(built.key()).isEqualTo("shop/web");
    }

    @Test
    void policiesWorkloadsRoutesAndNodes() {
        Policy deny = Policy.deny("shop", "no-batch")
                .from("spiffe://cluster.local/ns/shop/sa/batch")
                .toServices("shop/cart")
                .ports(8080)
                .build();
        assertThat(deny)
                .isEqualTo(new Policy(
                        "shop",
                        "no-batch",
                        PolicyAction.DENY,
                        List.of("spiffe://cluster.local/ns/shop/sa/batch"),
                        List.of(),
                        List.of("shop/cart"),
                        List.of(8080),
                        List.of()));
        assertThat(deny.toBuilder().build()).isEqualTo(deny);

        Workload w = Workload.builder("shop", "cart-1")
                .node("n1")
                .ip("10.1.0.5")
                .identity("spiffe://cluster.local/ns/shop/sa/cart")
                .label("app", "cart")
                .build();
        assertThat(w)
                .isEqualTo(new Workload(
                        "shop",
                        "cart-1",
                        "n1",
                        List.of("10.1.0.5"),
                        "spiffe://cluster.local/ns/shop/sa/cart",
                        Map.of("app", "cart"),
                        null));
        assertThat(w.toBuilder()
                        .placement("/var/run/netns/cart-1", "")
                        .build()
                        .placement()
                        .netns())
                .isEqualTo("/var/run/netns/cart-1");

        HttpRoute route = HttpRoute.of("shop", "web", "shop/web")
                .rule(HttpRouteRule.builder()
                        .pathPrefix("/api")
                        .backend("shop/web-v2", 20)
                        .backend("shop/web-v1", 80)
                        .build())
                .build();
        assertThat(route.rules().getFirst().matches()).containsExactly(HttpMatch.path(PathMatch.prefix("/api")));
        assertThat(route.rules().getFirst().backends())
                .extracting(WeightedBackend::weight)
                .containsExactly(20, 80);

        assertThat(Node.builder("n1")
                        .address("192.168.0.1")
                        .podCidr("10.1.0.0/24")
                        .build())
                .isEqualTo(Node.of("n1", "192.168.0.1", "10.1.0.0/24"));
    }

    @Test
    void encryptionReadsAsWhatItMeans() {
        EncryptionSpec strict = EncryptionSpec.wireguard(EncryptionSpec.Enforcement.STRICT);
        assertThat(strict.strict()).isTrue();
        assertThat(strict.trustDomain()).isEqualTo(EncryptionSpec.DEFAULT_TRUST_DOMAIN);
        assertThat(strict.withEnforcement(EncryptionSpec.Enforcement.PERMISSIVE).strict())
                .isFalse();
        assertThat(EncryptionSpec.mtls(EncryptionSpec.Enforcement.PERMISSIVE)
                        .withTrustDomain("example.org")
                        .trustDomain())
                .isEqualTo("example.org");
    }

    @Test
    void objectKeysParseAndOrder() {
        assertThat(ObjectKey.parse("shop/web")).isEqualTo(ObjectKey.of("shop", "web"));
        assertThat(ObjectKey.parse("shop/web").toString()).isEqualTo("shop/web");
        assertThat(List.of(ObjectKey.of("b", "a"), ObjectKey.of("a", "z"), ObjectKey.of("a", "b")).stream()
                        .sorted()
                        .toList())
                .containsExactly(ObjectKey.of("a", "b"), ObjectKey.of("a", "z"), ObjectKey.of("b", "a"));
        for (String bad : List.of("web", "/web", "shop/", "a/b/c")) {
            assertThatThrownBy(() -> ObjectKey.parse(bad)).hasMessage("'" + bad + "' is not a namespace/name key");
        }
    }
}
