package io.nodemesh.api.state;

import java.util.Optional;

/**
 * How a service copes with failing endpoints and overload. {@link #NONE} (every part absent) is the behaviour of a
 * service without it: every ready endpoint is picked, nothing is limited.
 *
 * @param healthCheck      active probes of every endpoint
 * @param outlierDetection passive ejection of endpoints that fail real traffic
 * @param circuitBreakers  limits of the node proxy towards the service
 * @param timeouts         connect and idle timeouts
 */
public record Resilience(
        Optional<HealthCheck> healthCheck,
        Optional<OutlierDetection> outlierDetection,
        Optional<CircuitBreakers> circuitBreakers,
        ConnectionTimeouts timeouts) {
    public static final Resilience NONE =
            new Resilience(Optional.empty(), Optional.empty(), Optional.empty(), ConnectionTimeouts.DEFAULT);

    public Resilience {
        healthCheck = healthCheck == null ? Optional.empty() : healthCheck;
        outlierDetection = outlierDetection == null ? Optional.empty() : outlierDetection;
        circuitBreakers = circuitBreakers == null ? Optional.empty() : circuitBreakers;
        timeouts = timeouts == null ? ConnectionTimeouts.DEFAULT : timeouts;
    }

    public Resilience withHealthCheck(HealthCheck check) {
        return new Resilience(Optional.ofNullable(check), outlierDetection, circuitBreakers, timeouts);
    }

    public Resilience withOutlierDetection(OutlierDetection detection) {
        return new Resilience(healthCheck, Optional.ofNullable(detection), circuitBreakers, timeouts);
    }

    public Resilience withCircuitBreakers(CircuitBreakers breakers) {
        return new Resilience(healthCheck, outlierDetection, Optional.ofNullable(breakers), timeouts);
    }

    public Resilience withTimeouts(ConnectionTimeouts t) {
        return new Resilience(healthCheck, outlierDetection, circuitBreakers, t);
    }

    /** Whether endpoints can be taken out of rotation by health, not only by the state. */
    public boolean ejects() {
        return healthCheck.isPresent() || outlierDetection.isPresent();
    }
}
