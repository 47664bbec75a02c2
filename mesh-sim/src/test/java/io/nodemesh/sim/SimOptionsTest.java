package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.InvalidOptionsException;
import io.nodemesh.api.spi.Availability;
import org.junit.jupiter.api.Test;

/** Through {@link Dataplanes}: a misspelt or unreadable option fails before anything opens, naming the known ones. */
class SimOptionsTest {
    @Test
    void aMisspeltOptionIsRejectedWithTheKnownKeys() {
        assertThatThrownBy(() -> Dataplanes.open("sim", DataplaneOptions.DEFAULTS.with("sim.sed", "3")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "invalid dataplane options: unknown option sim.sed for backend 'sim'; known: sim.maglevTableSize, sim.seed, sim.start");
    }

    @Test
    void composingChecksAgainstEveryPartsOptions() {
        assertThatThrownBy(() -> Dataplanes.compose(
                        java.util.List.of("sim"), DataplaneOptions.DEFAULTS.with("ebpf.pinRoot", "/x")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessageContaining("unknown option ebpf.pinRoot");
    }

    @Test
    void availabilityReadsTheCallersOptions() {
        var provider = Dataplanes.providers().get("sim");
        assertThat(provider.options()).contains(SimSettings.SEED, SimSettings.MAGLEV_TABLE_SIZE, SimSettings.START);
        assertThat(provider.availability(DataplaneOptions.DEFAULTS)).isEqualTo(Availability.AVAILABLE);
        assertThat(provider.availability(DataplaneOptions.DEFAULTS.with("sim.maglevTableSize", "100")))
                .isInstanceOfSatisfying(
                        Availability.Unavailable.class,
                        u -> assertThat(u.reason()).contains("sim.maglevTableSize"));
    }
}
