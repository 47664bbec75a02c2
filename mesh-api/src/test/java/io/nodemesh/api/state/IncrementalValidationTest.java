package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link MeshState#validate(MeshState)} finds exactly what a full validation finds. */
class IncrementalValidationTest {
    private static final MeshState VALID = MeshState.builder()
            .node(Node.of("n1", "192.168.0.1", "10.1.0.0/24"))
            .workload(new Workload(
                    "shop",
                    "web-1",
                    "n1",
                    List.of("10.1.0.2"),
                    "spiffe://cluster.local/ns/shop/sa/web",
                    Map.of("app", "web"),
                    Placement.NONE))
            .service(service("a", "10.96.0.1", 80))
            .service(service("b", "10.96.0.2", 80))
            .build();

    @Test
    void aChangedServiceIsCheckedFieldByField() {
        MeshState next = VALID.withService("shop/b", s -> service("b", "10.96.0.2", 0));
        assertThat(next.validate(VALID))
                .isEqualTo(next.validate())
                .extracting(Violation::path)
                .containsExactly("services[shop/b].ports[0].port");
    }

    @Test
    void anUnchangedServiceStillTakesPartInCollisions() {
        MeshState next = VALID.withService("shop/b", s -> service("b", "10.96.0.1", 80));
        assertThat(next.validate(VALID))
                .isEqualTo(next.validate())
                .extracting(Violation::reason)
                .containsExactly("10.96.0.1 is already a VIP of service shop/a");
    }

    @Test
    void shiftedPositionsAndChangedWorkloadsFallBackCorrectly() {
        MeshState shifted = VALID.toBuilder()
                .removeService("shop/a")
                .service(service("c", "10.96.0.3", 70000))
                .build();
        assertThat(shifted.validate(VALID)).isEqualTo(shifted.validate()).hasSize(1);

        Service pointsAtWorkload = new Service(
                "shop",
                "d",
                List.of("10.96.0.4"),
                List.of(ServicePort.tcp(80, 8080)),
                List.of(Endpoint.ready("10.1.0.2", "shop/web-1")),
                Map.of(),
                null,
                null,
                ServiceLayer.L4);
        MeshState withEndpoint = VALID.toBuilder().service(pointsAtWorkload).build();
        assertThat(withEndpoint.validate()).isEmpty();
        MeshState workloadGone =
                new MeshState(withEndpoint.nodes(), List.of(), withEndpoint.services(), List.of(), List.of(), null);
        assertThat(workloadGone.validate(withEndpoint))
                .isEqualTo(workloadGone.validate())
                .extracting(Violation::path)
                .containsExactly("services[shop/d].endpoints[0].workload");
    }

    // The fast path: same services, same keys at every position, a few replaced.

    @Test
    void replacedServicesSwappingTheirVipsAreValid() {
        MeshState next = VALID.withService("shop/a", s -> service("a", "10.96.0.2", 80))
                .withService("shop/b", s -> service("b", "10.96.0.1", 80));
        assertThat(next.validate(VALID)).isEqualTo(next.validate()).isEmpty();
    }

    @Test
    void twoReplacedServicesTakingTheSameNewVipCollide() {
        MeshState next = VALID.withService("shop/a", s -> service("a", "10.96.0.9", 80))
                .withService("shop/b", s -> service("b", "10.96.0.9", 80));
        assertThat(next.validate(VALID))
                .isEqualTo(next.validate())
                .extracting(Violation::reason)
                .containsExactly("10.96.0.9 is already a VIP of service shop/a");
    }

    @Test
    void aReplacedServiceIsCheckedAgainstWorkloadsAndItself() {
        MeshState onWorkload = VALID.withService("shop/b", s -> service("b", "10.1.0.2", 80));
        assertThat(onWorkload.validate(VALID))
                .isEqualTo(onWorkload.validate())
                .extracting(Violation::path)
                .containsExactly("services[shop/b].vips[0]");
        MeshState twice = VALID.withService(
                "shop/b",
                s -> new Service(
                        "shop",
                        "b",
                        List.of("10.96.0.2", "10.96.0.2"),
                        List.of(ServicePort.tcp(80, 8080)),
                        List.of(),
                        Map.of("app", "web"),
                        null,
                        null,
                        ServiceLayer.L4));
        assertThat(twice.validate(VALID))
                .isEqualTo(twice.validate())
                .extracting(Violation::reason)
                .containsExactly("duplicate VIP 10.96.0.2");
    }

    @Test
    void anEquivalentVipSpelledDifferentlyStillCollides() {
        MeshState v6 = VALID.withService("shop/a", s -> service("a", "fd00::1", 80));
        assertThat(v6.validate()).isEmpty();
        MeshState next = v6.withService("shop/b", s -> service("b", "fd00:0:0::1", 80));
        assertThat(next.validate(v6))
                .isEqualTo(next.validate())
                .extracting(Violation::path)
                .containsExactly("services[shop/b].vips[0]");
    }

    @Test
    void aRenamedServiceAtTheSamePositionIsNotTheFastPath() {
        MeshState renamed = new MeshState(
                VALID.nodes(),
                VALID.workloads(),
                List.of(VALID.services().get(0), service("a", "10.96.0.5", 80)),
                List.of(),
                List.of(),
                null);
        assertThat(renamed.validate(VALID))
                .isEqualTo(renamed.validate())
                .extracting(Violation::reason)
                .containsExactly("duplicate service shop/a");
    }

    private static Service service(String name, String vip, int port) {
        return new Service(
                "shop",
                name,
                List.of(vip),
                List.of(ServicePort.tcp(port, 8080)),
                List.of(),
                Map.of("app", "web"),
                null,
                null,
                ServiceLayer.L4);
    }
}
