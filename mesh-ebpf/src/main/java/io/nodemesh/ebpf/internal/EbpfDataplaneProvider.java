package io.nodemesh.ebpf.internal;

import io.nodemesh.api.BackendUnavailableException;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.EbpfSettings;

import java.util.EnumSet;
import java.util.Set;

/** The {@code ebpf} backend. Cheap to construct; everything that can be missing is reported by {@link #availability()}. */
public final class EbpfDataplaneProvider implements DataplaneProvider {
    @Override
    public String name() {
        return EbpfDataplane.NAME;
    }

    @Override
    public Availability availability() {
        return EbpfAvailability.check(EbpfSettings.from(DataplaneOptions.DEFAULTS));
    }

    @Override
    public Set<Capability> capabilities() {
        return EbpfDataplane.CAPABILITIES;
    }

    @Override
    public MeshDataplane open(DataplaneOptions options) {
        EbpfSettings settings = EbpfSettings.from(options);
        if (EbpfAvailability.check(settings) instanceof Availability.Unavailable(String reason)) {
            throw new BackendUnavailableException("eBPF backend unavailable: " + reason);
        }
        return EbpfDataplane.open(options);
    }
}
