package io.nodemesh.sim.internal;

import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Option;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.sim.SimSettings;
import io.nodemesh.sim.SimulatedDataplane;
import java.util.List;
import java.util.Set;

/** The {@code sim} backend: pure Java, so it is available everywhere. */
public final class SimDataplaneProvider implements DataplaneProvider {
    @Override
    public String name() {
        return "sim";
    }

    @Override
    public List<Option<?>> options() {
        return SimSettings.OPTIONS;
    }

    @Override
    public Availability availability(DataplaneOptions options) {
        try {
            SimSettings.from(options);
            return Availability.AVAILABLE;
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage());
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return SimulatedDataplane.capabilities(DataplaneOptions.DEFAULTS);
    }

    @Override
    public MeshDataplane open(DataplaneOptions options) {
        return SimulatedDataplane.open(options);
    }
}
