package io.nodemesh.api.state;

import java.time.Duration;

/**
 * When a {@link HealthCheck} probes and how it counts.
 *
 * @param interval           time between two probes of one endpoint
 * @param timeout            how long a probe may take before it counts as failed; at most {@code interval}
 * @param healthyThreshold   passed probes in a row that make an unhealthy endpoint healthy again; 0 for 2
 * @param unhealthyThreshold failed probes in a row that make a healthy endpoint unhealthy; 0 for 3
 */
public record HealthCheckSchedule(Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold) {
    /** Every 5 s, 1 s timeout, 2 passes to recover, 3 failures to eject. */
    public static final HealthCheckSchedule DEFAULT =
            new HealthCheckSchedule(Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);

    public HealthCheckSchedule {
        interval = interval == null ? Duration.ofSeconds(5) : interval;
        timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
        // 0 is what a file that leaves a threshold out reads as: the default, not a check that never decides.
        if (healthyThreshold == 0) healthyThreshold = 2;
        if (unhealthyThreshold == 0) unhealthyThreshold = 3;
    }

    /** Time a healthy endpoint that stops answering keeps getting new connections: unhealthy threshold × interval. */
    public Duration detectionTime() {
        return interval.multipliedBy(unhealthyThreshold);
    }
}
