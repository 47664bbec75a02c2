package io.nodemesh.envoy.internal;

import io.nodemesh.api.BackendUnavailableException;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Option;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.envoy.EnvoyDataplane;
import io.nodemesh.envoy.EnvoyOptions;
import java.util.List;
import java.util.Set;

/**
 * The {@code envoy} backend. It is always available: it is an xDS control plane, which needs no privileges and no Envoy
 * binary (proxyless gRPC consumes it directly); running an Envoy process is the supervisor's job, when one is installed.
 */
public final class EnvoyProvider implements DataplaneProvider {
    @Override
    public String name() {
        return "envoy";
    }

    @Override
    public List<Option<?>> options() {
        return EnvoyOptions.OPTIONS;
    }

    @Override
    public Availability availability(DataplaneOptions options) {
        return Availability.AVAILABLE;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnvoyDataplane.CAPABILITIES;
    }

    @Override
    public MeshDataplane open(DataplaneOptions options) {
        try {
            return new EnvoyDataplane(options);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new BackendUnavailableException("envoy backend cannot open: " + e.getMessage());
        }
    }
}
