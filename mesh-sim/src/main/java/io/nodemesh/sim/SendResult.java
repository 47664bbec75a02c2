package io.nodemesh.sim;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;

/** What became of one send on an open simulated connection. */
public sealed interface SendResult {
    /** The bytes reached the backend along {@code path}. */
    record Delivered(FlowPath path, long bytes) implements SendResult {}

    /** The bytes were dropped (e.g. a policy applied since the connect now denies it); the connection stays open. */
    record Dropped(Verdict verdict, String reason) implements SendResult {}

    default boolean delivered() {
        return this instanceof Delivered;
    }
}
