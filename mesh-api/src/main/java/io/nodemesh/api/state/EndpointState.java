package io.nodemesh.api.state;

/** Whether an endpoint takes new connections. */
public enum EndpointState {
    /** Takes new connections. */
    READY,
    /** Not (yet) ready: gets no connections. */
    NOT_READY,
    /** Shutting down: keeps the connections it has, gets no new ones. */
    TERMINATING
}
