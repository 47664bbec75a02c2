package io.nodemesh.api;

import io.nodemesh.api.state.MeshState;
import java.util.List;
import java.util.Set;

/**
 * A dataplane that makes a {@link MeshState} so. Obtain one from {@link Dataplanes}.
 * <p>
 * {@link #apply} is declarative and all-or-nothing: an invalid state is rejected before anything is touched, and a
 * failure part-way rolls back, so the previously applied state keeps serving either way.
 */
public interface MeshDataplane extends AutoCloseable {
    /** The backend's name, e.g. {@code sim} or {@code ebpf}. */
    String name();

    /**
     * Programs {@code state}, replacing what was programmed before.
     *
     * @throws InvalidStateException if the state has violations (general or this backend's, such as capacity limits);
     *                               nothing was changed
     * @throws ApplyException        if the backend failed while programming; it rolled back to the previous state
     */
    ApplyResult apply(MeshState state);

    /** The state last applied successfully ({@link MeshState#EMPTY} before the first apply). */
    MeshState state();

    /** Flow events and counters. */
    Flows flows();

    Set<Capability> capabilities();

    /**
     * How the backend is doing, read from what it runs: one entry for a single backend, one per part for a composite.
     *
     * @throws DataplaneException if the backend cannot be read (it is closed, or its kernel objects are gone)
     */
    List<BackendHealth> health();

    /**
     * Stops managing the dataplane. Whether the programmed state keeps serving after close (pinned eBPF programs do)
     * is the backend's to document.
     */
    @Override
    void close();
}
