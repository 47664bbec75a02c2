package io.nodemesh.api.lb;

/** Where an endpoint runs, seen from a client's node. */
public enum Proximity {
    /** On the client's node: the connection never leaves the kernel. */
    SAME_NODE,
    /** On another node of the client node's zone (both nodes name the same, non-empty zone). */
    SAME_ZONE,
    /** Anywhere else, including addresses outside every workload. */
    ELSEWHERE
}
