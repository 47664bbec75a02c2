package io.nodemesh.kubernetes;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.state.MeshState;
import java.time.Duration;

/** Hears what a feed does, for metrics and logs. Called on the feed's thread: return quickly. */
public interface FeedListener {
    /**
     * A state was applied.
     *
     * @param took from the first change of the batch to the end of the apply (debounce included)
     */
    default void applied(MeshState state, ApplyResult result, Duration took) {}

    /** Every informer has listed its resources once: the feed can now assemble a complete state. */
    default void synced() {}

    /** An apply failed or was held back; the previous state keeps serving. */
    default void notApplied(String reason) {}
}
