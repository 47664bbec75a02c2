package io.nodemesh.api.spi;

import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;

import java.util.Set;

/**
 * A backend, found with {@link java.util.ServiceLoader}. Implementations must be cheap to construct and must not fail
 * in their constructor or a static initializer: whatever the machine lacks is reported by {@link #availability()}.
 */
public interface DataplaneProvider {
    /** Short unique name, e.g. {@code sim}, {@code ebpf}, {@code envoy}, {@code wireguard}. */
    String name();

    /** Whether {@link #open} can work on this machine, with a reason a person can act on when not. */
    Availability availability();

    Set<Capability> capabilities();

    /**
     * Opens the backend.
     *
     * @throws io.nodemesh.api.BackendUnavailableException when {@link #availability()} says it is unavailable
     */
    MeshDataplane open(DataplaneOptions options);
}
