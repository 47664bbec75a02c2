package io.nodemesh.planner;

/**
 * One proxy's use in a simulated run.
 *
 * @param kind          {@code sidecar} or {@code node-proxy}
 * @param node          the node it runs on
 * @param vcpu          CPU it used: busy time / simulated time
 * @param rps           requests through it per second
 * @param memoryMb      its memory
 */
public record ProxyUsage(String kind, int node, double vcpu, double rps, double memoryMb) {}
