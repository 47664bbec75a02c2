package io.nodemesh.ebpf.internal;

import io.nodemesh.api.BackendUnavailableException;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Option;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.EbpfSettings;
import java.util.List;
import java.util.Set;

/** The {@code ebpf} backend. Cheap to construct; everything that can be missing is reported by {@link #availability(DataplaneOptions)}. */
public final class EbpfDataplaneProvider implements DataplaneProvider {
    @Override
    public String name() {
        return EbpfDataplane.NAME;
    }

    @Override
    public List<Option<?>> options() {
        return EbpfSettings.OPTIONS;
    }

    @Override
    public Availability availability(DataplaneOptions options) {
        EbpfSettings settings;
        try {
            settings = EbpfSettings.from(options);
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage());
        }
        return EbpfAvailability.check(settings);
    }

    @Override
    public Set<Capability> capabilities() {
        return EbpfDataplane.CAPABILITIES;
    }

    @Override
    public MeshDataplane open(DataplaneOptions options) {
        if (availability(options) instanceof Availability.Unavailable(String reason)) {
            throw new BackendUnavailableException("eBPF backend unavailable: " + reason);
        }
        return EbpfDataplane.open(options);
    }
}
