package io.nodemesh.api;

import java.util.function.Consumer;

/** The flow events of a dataplane. */
public interface Flows {
    /**
     * Calls {@code listener} for every event from now on, on a thread of the backend's; it must not block for long.
     * Close the returned subscription to stop.
     */
    Subscription subscribe(Consumer<FlowEvent> listener);

    /** Counters since the dataplane opened. */
    FlowStats stats();

    /** A live subscription; closing it stops delivery. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
