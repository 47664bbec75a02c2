package io.nodemesh.api.state;

import java.time.Duration;

/**
 * Passive outlier detection: an endpoint whose real traffic fails too often in a row is ejected (gets no new
 * connections) for {@code baseEjectionTime} × the number of times it has been ejected, but never so many that more than
 * {@code maxEjectionPercent} of the service's endpoints are out at once.
 *
 * @param consecutive5xx             5xx responses in a row that eject an endpoint (L7 traffic); 0 turns this off
 * @param consecutiveConnectFailures connections in a row it refused or never accepted; 0 turns this off
 * @param baseEjectionTime           how long a first ejection lasts
 * @param maxEjectionPercent         most endpoints, in percent of the service's, ejected at once (1..100; 0 for 10)
 * @param interval                   how often ejections are reconsidered: an ejection ends at the first sweep after
 *                                   its time is up
 */
public record OutlierDetection(
        int consecutive5xx,
        int consecutiveConnectFailures,
        Duration baseEjectionTime,
        int maxEjectionPercent,
        Duration interval) {
    /** Envoy's defaults: 5 and 5 in a row, 30 s base ejection, at most 10 % ejected, a sweep every 10 s. */
    public static final OutlierDetection DEFAULT =
            new OutlierDetection(5, 5, Duration.ofSeconds(30), 10, Duration.ofSeconds(10));

    public OutlierDetection {
        baseEjectionTime = baseEjectionTime == null ? Duration.ofSeconds(30) : baseEjectionTime;
        interval = interval == null ? Duration.ofSeconds(10) : interval;
        if (maxEjectionPercent == 0) maxEjectionPercent = 10; // a detection that may eject nothing is no detection
    }
}
