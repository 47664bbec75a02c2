package io.nodemesh.planner;

/** Who talks to whom in the simulated load. */
public enum TrafficPattern {
    /** Each request: a uniformly random client pod calls a random other service, on a random replica of it. */
    UNIFORM,
    /**
     * All requests from one client pod to one server pod on another node (same node if the cluster has one node):
     * the single flow of a per-proxy benchmark such as Istio's.
     */
    PAIR
}
