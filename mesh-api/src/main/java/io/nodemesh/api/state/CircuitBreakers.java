package io.nodemesh.api.state;

/**
 * Limits a node's proxy keeps towards one service's endpoints; what exceeds one is refused at once
 * ({@link io.nodemesh.api.Verdict#OVERFLOW}) rather than queued. Each limit is at least 1.
 *
 * @param maxConnections     open connections to all endpoints together
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests        requests in flight
 * @param maxRetries         retries in flight
 */
public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
    /** Envoy's defaults: 1024 connections, pending and requests, 3 retries. */
    public static final CircuitBreakers DEFAULT = new CircuitBreakers(1024, 1024, 1024, 3);

    public CircuitBreakers withMaxConnections(int n) {
        return new CircuitBreakers(n, maxPendingRequests, maxRequests, maxRetries);
    }

    public CircuitBreakers withMaxPendingRequests(int n) {
        return new CircuitBreakers(maxConnections, n, maxRequests, maxRetries);
    }

    public CircuitBreakers withMaxRequests(int n) {
        return new CircuitBreakers(maxConnections, maxPendingRequests, n, maxRetries);
    }

    public CircuitBreakers withMaxRetries(int n) {
        return new CircuitBreakers(maxConnections, maxPendingRequests, maxRequests, n);
    }
}
