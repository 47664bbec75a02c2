package io.nodemesh.api.state;

import java.time.Duration;
import java.util.Optional;

/** The rules of a service's {@link Resilience}: ranges, units and whether a check fits the port it probes. */
final class ResilienceRules {
    /** Envoy durations are protobuf Durations; below a millisecond nothing the dataplanes do can honour them. */
    private static final Duration SMALLEST = Duration.ofMillis(1);
    /** Longer than any sensible probe or ejection, and a typo's usual shape (seconds given as milliseconds × 1000). */
    private static final Duration LONGEST = Duration.ofDays(1);

    private final FieldRules rules;

    ResilienceRules(FieldRules rules) {
        this.rules = rules;
    }

    void check(Service s, String at) {
        Resilience r = s.resilience();
        r.healthCheck().ifPresent(h -> healthCheck(s, h, at + ".resilience.healthCheck"));
        r.outlierDetection().ifPresent(o -> outlierDetection(o, at + ".resilience.outlierDetection"));
        r.circuitBreakers().ifPresent(c -> circuitBreakers(c, at + ".resilience.circuitBreakers"));
        timeout(at + ".resilience.timeouts.connect", r.timeouts().connect());
        timeout(at + ".resilience.timeouts.idle", r.timeouts().idle());
    }

    private void healthCheck(Service s, HealthCheck h, String at) {
        Optional<ServicePort> probed = probedPort(s, h);
        if (probed.isEmpty()) {
            rules.add(
                    at + ".port",
                    h.port() == 0
                            ? "the service has no TCP port to probe"
                            : "port " + h.port() + " is not a TCP port of the service (ports: "
                                    + s.ports().stream()
                                            .map(p -> p.port() + "/" + p.protocol())
                                            .toList() + ")");
        }
        HealthCheckSchedule schedule = h.schedule();
        duration(at + ".schedule.interval", schedule.interval());
        duration(at + ".schedule.timeout", schedule.timeout());
        if (schedule.timeout().compareTo(schedule.interval()) > 0) {
            rules.add(
                    at + ".schedule.timeout",
                    schedule.timeout() + " is longer than the interval " + schedule.interval()
                            + ": probes of one endpoint would overlap");
        }
        notNegative(at + ".schedule.healthyThreshold", schedule.healthyThreshold());
        notNegative(at + ".schedule.unhealthyThreshold", schedule.unhealthyThreshold());
        if (h instanceof HttpHealthCheck http) {
            probed.filter(p -> !carriesHttp(s, p))
                    .ifPresent(p -> rules.add(
                            at,
                            "an HTTP check needs a port that carries HTTP, but port " + p.port() + " has appProtocol "
                                    + p.appProtocol() + " and the service is L4 (set appProtocol HTTP, HTTP2 or GRPC,"
                                    + " or use a TCP check)"));
            if (!http.path().startsWith("/") || http.path().chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                rules.add(at + ".path", "'" + http.path() + "' must start with '/' and have no spaces or controls");
            }
            HttpHealthCheck.StatusRange range = http.expected();
            status(at + ".expected.min", range.min());
            status(at + ".expected.max", range.max());
            if (range.min() > range.max()) {
                rules.add(at + ".expected", "min " + range.min() + " is above max " + range.max());
            }
        }
    }

    /** The port a check probes: its own port number among the TCP ports, or the first TCP port for 0. */
    static Optional<ServicePort> probedPort(Service s, HealthCheck h) {
        return s.ports().stream()
                .filter(p -> p.protocol() == Protocol.TCP && (h.port() == 0 || p.port() == h.port()))
                .findFirst();
    }

    private static boolean carriesHttp(Service s, ServicePort p) {
        return p.appProtocol() != AppProtocol.TCP || s.l7();
    }

    private void outlierDetection(OutlierDetection o, String at) {
        notNegative(at + ".consecutive5xx", o.consecutive5xx());
        notNegative(at + ".consecutiveConnectFailures", o.consecutiveConnectFailures());
        if (o.consecutive5xx() == 0 && o.consecutiveConnectFailures() == 0) {
            rules.add(at, "detects nothing: consecutive5xx and consecutiveConnectFailures are both 0");
        }
        duration(at + ".baseEjectionTime", o.baseEjectionTime());
        duration(at + ".interval", o.interval());
        rules.percent(at + ".maxEjectionPercent", o.maxEjectionPercent());
    }

    private void circuitBreakers(CircuitBreakers c, String at) {
        notNegative(at + ".maxConnections", c.maxConnections());
        notNegative(at + ".maxPendingRequests", c.maxPendingRequests());
        notNegative(at + ".maxRequests", c.maxRequests());
        notNegative(at + ".maxRetries", c.maxRetries());
    }

    /** A positive duration of whole milliseconds, at most a day. */
    private void duration(String path, Duration d) {
        if (d.compareTo(SMALLEST) < 0) {
            rules.add(path, d + " must be at least 1ms");
        } else if (d.compareTo(LONGEST) > 0) {
            rules.add(path, d + " is longer than a day");
        } else if (d.getNano() % 1_000_000 != 0) {
            rules.add(path, d + " is not a whole number of milliseconds");
        }
    }

    /** Zero (the dataplane's default) or a {@link #duration}. */
    private void timeout(String path, Duration d) {
        if (d.isNegative()) {
            rules.add(path, d + " must not be negative (zero keeps the default)");
        } else if (!d.isZero()) {
            duration(path, d);
        }
    }

    private void notNegative(String path, int n) {
        if (n < 0) rules.add(path, n + " must not be negative (0 keeps the default)");
    }

    private void status(String path, int status) {
        if (status < 100 || status > 599) rules.add(path, status + " is not an HTTP status (100..599)");
    }
}
