package io.nodemesh.api;

/** What became of a connection or message. */
public enum Verdict {
    /** Let through. */
    FORWARDED,
    /** Refused by identity policy. */
    DROPPED_POLICY,
    /** Addressed to a service with no ready backend. */
    NO_BACKEND
}
