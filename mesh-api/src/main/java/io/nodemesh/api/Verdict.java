package io.nodemesh.api;

/** What became of a connection or message. */
public enum Verdict {
    /** Let through. */
    FORWARDED,
    /** Refused by identity policy. */
    DROPPED_POLICY,
    /** Addressed to a service with no ready backend. */
    NO_BACKEND,
    /** Refused by a circuit breaker: the service's limit of connections or requests was reached. */
    OVERFLOW,
    /** The chosen backend did not accept the connection (it is down, or refused it). */
    BACKEND_FAILED
}
