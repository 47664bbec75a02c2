package io.nodemesh.api.spi;

import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Option;
import java.util.List;
import java.util.Set;

/**
 * A backend, found with {@link java.util.ServiceLoader}. Implementations must be cheap to construct and must not fail
 * in their constructor or a static initializer: whatever the machine lacks is reported by {@link #availability}.
 */
public interface DataplaneProvider {
    /** Short unique name, e.g. {@code sim}, {@code ebpf}, {@code envoy}, {@code wireguard}. */
    String name();

    /** Every setting {@link #open} reads; a key outside these is rejected before the backend sees it. */
    List<Option<?>> options();

    /**
     * Whether {@link #open} can work on this machine with {@code options}. Side-effect free: it reads, it never mounts,
     * loads or creates anything.
     */
    Availability availability(DataplaneOptions options);

    /** Availability with the default options. */
    default Availability availability() {
        return availability(DataplaneOptions.DEFAULTS);
    }

    Set<Capability> capabilities();

    /**
     * Opens the backend.
     *
     * @throws io.nodemesh.api.BackendUnavailableException when it cannot run here
     */
    MeshDataplane open(DataplaneOptions options);
}
