package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.spi.Availability;
import org.junit.jupiter.api.Test;

class WireguardProviderTest {
    @Test
    void isFoundByServiceLoaderWithNodeEncryption() {
        assertThat(Dataplanes.providers()).containsKey("wireguard");
        assertThat(Dataplanes.providers().get("wireguard").capabilities())
                .containsExactlyInAnyOrder(Capability.NODE_ENCRYPTION, Capability.FLOWS);
    }

    @Test
    void unavailabilityAlwaysSaysWhatIsMissing() {
        Availability a = new WireguardProvider().availability();
        if (a instanceof Availability.Unavailable(String reason)) {
            assertThat(reason).containsAnyOf("root", "/dev/net/tun", "apt-get install", "Linux");
        } else {
            assertThat(WireguardProvider.isRoot()).isTrue();
            assertThat(WireguardProvider.onPath("wireguard-go")).isTrue();
        }
    }

    @Test
    void openingWithoutANodeSaysHowToGiveOne() {
        var provider = new WireguardProvider();
        if (!provider.availability().isAvailable()) return; // the unavailable path is the test above
        assertThatThrownBy(() -> provider.open(DataplaneOptions.DEFAULTS))
                .isInstanceOf(DataplaneException.class)
                .hasMessageContaining("forNode");
    }
}
