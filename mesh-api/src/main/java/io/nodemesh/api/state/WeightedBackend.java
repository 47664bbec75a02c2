package io.nodemesh.api.state;

/**
 * A share of a route's traffic.
 *
 * @param service the service ({@code namespace/name}) that receives it
 * @param port    the service port, or 0 for the route's own port
 * @param weight  relative weight, ≥ 0
 */
public record WeightedBackend(String service, int port, int weight) {}
