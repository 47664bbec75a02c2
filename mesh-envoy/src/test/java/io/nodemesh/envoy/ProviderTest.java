package io.nodemesh.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.InvalidOptionsException;
import io.nodemesh.api.MeshDataplane;
import org.junit.jupiter.api.Test;

/** The backend is found by name through ServiceLoader and says what it can do. */
class ProviderTest {
    @Test
    void openedByNameWithL7Capabilities() {
        assertThat(Dataplanes.available().get("envoy").isAvailable()).isTrue();
        try (MeshDataplane dp = Dataplanes.open("envoy", DataplaneOptions.DEFAULTS)) {
            assertThat(dp.name()).isEqualTo("envoy");
            assertThat(dp.capabilities())
                    .containsExactlyInAnyOrder(
                            Capability.L7_ROUTING, Capability.L7_POLICY, Capability.MTLS, Capability.FLOWS);
            assertThat(((EnvoyDataplane) dp).xdsPort()).isPositive();
        }
    }

    @Test
    void badOptionsAreReportedByName() {
        assertThatThrownBy(
                        () -> Dataplanes.open("envoy", DataplaneOptions.DEFAULTS.with("envoy.outboundPort", "99999")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessageContaining("envoy.outboundPort: '99999'");
        assertThatThrownBy(() -> Dataplanes.open("envoy", DataplaneOptions.DEFAULTS.with("envoy.certLifetime", "soon")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessageContaining("envoy.certLifetime: 'soon'");
        assertThatThrownBy(() -> Dataplanes.open("envoy", DataplaneOptions.DEFAULTS.with("envoy.outboundPrt", "15001")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessageContaining("unknown option envoy.outboundPrt for backend 'envoy'; known: ")
                .hasMessageContaining("envoy.outboundPort");
    }
}
