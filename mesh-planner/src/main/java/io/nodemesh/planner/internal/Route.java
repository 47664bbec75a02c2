package io.nodemesh.planner.internal;

/**
 * The round trip of one kind of request (same node or across nodes, L4 or L7) under one model: which proxies it visits
 * in order and the pure delays (network segments) before, between and after the visits. A visit names a proxy by role,
 * resolved per request from its client and server pods.
 *
 * @param roles     proxy visited at each step: {@link #SRC_SIDECAR}, {@link #DST_SIDECAR}, {@link #SRC_NODE}, {@link #DST_NODE}
 * @param delaysNs  delay before visit i (and, last, before the response reaches the client): roles.length + 1 entries
 * @param serviceNs mean CPU time of each visit
 */
record Route(int[] roles, long[] delaysNs, double[] serviceNs) {
    static final int SRC_SIDECAR = 0;
    static final int DST_SIDECAR = 1;
    static final int SRC_NODE = 2;
    static final int DST_NODE = 3;

    int visits() {
        return roles.length;
    }

    /** Round-trip time with no queueing and mean service times: the floor latency of this route. */
    double unloadedNs() {
        double t = 0;
        for (long d : delaysNs) t += d;
        for (double s : serviceNs) t += s;
        return t;
    }
}
