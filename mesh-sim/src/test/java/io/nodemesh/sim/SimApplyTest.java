package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimApplyTest {
    private final MeshState state = SimWorld.state(SimWorld.webPods(3))
            .service(SimWorld.web(LoadBalancing.MAGLEV))
            .build();

    @Test
    void generationCountsOnlyApplicationsThatChangeSomething() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(1)) {
            assertThat(dp.state()).isEqualTo(MeshState.EMPTY);
            ApplyResult first = dp.apply(state);
            assertThat(first.generation()).isEqualTo(1);
            assertThat(first.changes()).hasSize(3 + 4 + 1); // nodes, workloads, service
            assertThat(dp.apply(state)).isEqualTo(new ApplyResult(1, java.util.List.of()));
            ApplyResult removal = dp.apply(SimWorld.state(SimWorld.webPods(3)).build());
            assertThat(removal.generation()).isEqualTo(2);
            assertThat(removal.changes()).extracting(Object::toString).containsExactly("removed service shop/web");
        }
    }

    @Test
    void aMaglevServiceLargerThanItsTableIsRejectedNamingTheOption() {
        try (SimulatedDataplane dp =
                SimulatedDataplane.open(new DataplaneOptions("", java.util.Map.of("sim.maglevTableSize", "2")))) {
            assertThatThrownBy(() -> dp.apply(state))
                    .isInstanceOfSatisfying(
                            InvalidStateException.class,
                            e -> assertThat(e.violations()).singleElement().satisfies(v -> {
                                assertThat(v.path()).isEqualTo("services[shop/web].endpoints");
                                assertThat(v.reason()).contains("sim.maglevTableSize");
                            }));
            assertThat(dp.state()).isEqualTo(MeshState.EMPTY);
        }
    }

    @Test
    void foundThroughTheServiceLoaderWithItsOptions() {
        assertThat(Dataplanes.available().get("sim").isAvailable()).isTrue();
        try (MeshDataplane dp = Dataplanes.open("sim", new DataplaneOptions("", java.util.Map.of("sim.seed", "99")))) {
            assertThat(dp)
                    .isInstanceOfSatisfying(
                            SimulatedDataplane.class,
                            s -> assertThat(s.settings().seed()).isEqualTo(99));
            // L7 routing and policy are modelled by the node proxy (NodeProxy); mTLS handshakes are not.
            assertThat(dp.capabilities())
                    .contains(
                            Capability.SOCKET_LB,
                            Capability.SOCKET_REDIRECT,
                            Capability.L4_POLICY,
                            Capability.L7_ROUTING,
                            Capability.L7_POLICY,
                            Capability.FLOWS)
                    .doesNotContain(Capability.MTLS);
        }
    }

    @Test
    void badOptionsNameTheProperty() {
        assertThatThrownBy(() -> SimulatedDataplane.open(DataplaneOptions.DEFAULTS.with("sim.seed", "abc")))
                .hasMessage("option sim.seed: 'abc' is not an integer");
        assertThatThrownBy(() -> SimulatedDataplane.open(DataplaneOptions.DEFAULTS.with("sim.maglevTableSize", "100")))
                .hasMessage("sim.maglevTableSize: 100 is not a prime number");
    }

    @Test
    void misuseIsReportedClearly() {
        SimulatedDataplane dp = SimulatedDataplane.seeded(1);
        dp.apply(state);
        assertThatThrownBy(() -> dp.connect(Source.workload("shop/nobody"), SimWorld.VIP, 80))
                .hasMessage("no workload 'shop/nobody' in the applied state");
        assertThatThrownBy(() -> dp.advance(Duration.ofSeconds(-1))).hasMessageContaining("cannot go back");
        SimConnection c =
                dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80).connection();
        dp.close();
        assertThat(dp.openConnections()).isZero();
        assertThatThrownBy(() -> dp.send(c, 1)).hasMessage("the simulated dataplane is closed");
        assertThatThrownBy(() -> dp.apply(state)).hasMessage("the simulated dataplane is closed");
    }
}
