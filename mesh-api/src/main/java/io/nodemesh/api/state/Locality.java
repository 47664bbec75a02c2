package io.nodemesh.api.state;

/**
 * Which of a service's ready endpoints a client's connections go to, by where they run relative to the client's node.
 * The choice is made per client node after health checks: when every endpoint of the closest group is unhealthy or not
 * ready, connections overflow to the next group ({@link #NODE_ONLY} excepted). An endpoint's node is its workload's; an
 * address outside every workload is in no zone. {@link io.nodemesh.api.lb.ClosestEndpoints} computes it, once for
 * every backend.
 */
public enum Locality {
    /** Every ready endpoint, wherever it runs (Kubernetes' default). */
    ANY,
    /**
     * Endpoints in the client node's zone; the others only when the zone has none (Kubernetes
     * {@code trafficDistribution: PreferSameZone}).
     */
    PREFER_ZONE,
    /**
     * Endpoints on the client's node, then in its zone, then anywhere (Kubernetes {@code trafficDistribution:
     * PreferClose} and {@code PreferSameNode}): a connection that stays on the node skips the wire, the tunnel and its
     * encryption.
     */
    PREFER_NODE,
    /**
     * Endpoints on the client's node only; with none, connections are refused (Kubernetes
     * {@code internalTrafficPolicy: Local}).
     */
    NODE_ONLY
}
