package io.nodemesh.api.state;

/**
 * Limits a node's proxy keeps towards one service's endpoints; what exceeds one is refused at once
 * ({@link io.nodemesh.api.Verdict#OVERFLOW}) rather than queued. A limit given as 0 is Envoy's default for it (what a
 * file that leaves it out reads as); a negative one is invalid.
 *
 * @param maxConnections     open connections to all endpoints together
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests        requests in flight
 * @param maxRetries         retries in flight
 */
public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
    /** Envoy's defaults: 1024 connections, pending and requests, 3 retries. */
    public static final CircuitBreakers DEFAULT = new CircuitBreakers(1024, 1024, 1024, 3);

    public CircuitBreakers {
        if (maxConnections == 0) maxConnections = 1024;
        if (maxPendingRequests == 0) maxPendingRequests = 1024;
        if (maxRequests == 0) maxRequests = 1024;
        if (maxRetries == 0) maxRetries = 3;
    }

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
