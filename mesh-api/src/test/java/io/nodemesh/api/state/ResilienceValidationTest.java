package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's resilience: absent changes nothing; every bad range names the service and the field. */
class ResilienceValidationTest {
    private static final String AT = "services[shop/api].resilience.";
    private static final HealthCheckSchedule FAST =
            new HealthCheckSchedule(Duration.ofMillis(100), Duration.ofMillis(50), 1, 2);

    private static Service.Builder api() {
        return Service.builder("shop", "api").vip("10.96.0.2").tcp(80, 8080).udp(53, 53);
    }

    private static List<Violation> violations(Service s) {
        return MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .service(s)
                .build()
                .validate();
    }

    @Test
    void absentIsNoneAndTheOldConstructorKeepsIt() {
        Service s = api().build();
        assertThat(s.resilience()).isEqualTo(Resilience.NONE);
        Service old = new Service("shop", "api", s.vips(), s.ports(), s.endpoints(), s.selector(), null, null, null);
        assertThat(old).isEqualTo(s);
        assertThat(violations(s)).isEmpty();
    }

    @Test
    void aCompleteValidResilienceIsAccepted() {
        Service s = api().healthCheck(new TcpHealthCheck(80, FAST))
                .outlierDetection(OutlierDetection.DEFAULT)
                .circuitBreakers(CircuitBreakers.DEFAULT.withMaxConnections(10))
                .connectTimeout(Duration.ofMillis(250))
                .idleTimeout(Duration.ofMinutes(5))
                .build();
        assertThat(violations(s)).isEmpty();
        assertThat(s.resilience().ejects()).isTrue();
        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.resilience().timeouts())
                .isEqualTo(new ConnectionTimeouts(Duration.ofMillis(250), Duration.ofMinutes(5)));
    }

    @Test
    void aCheckMustProbeATcpPortOfTheService() {
        assertThat(violations(api().healthCheck(new TcpHealthCheck(53, FAST)).build()))
                .containsExactly(new Violation(
                        AT + "healthCheck.port", "port 53 is not a TCP port of the service (ports: [80/TCP, 53/UDP])"));
        Service udpOnly = Service.builder("shop", "api")
                .vip("10.96.0.2")
                .udp(53, 53)
                .healthCheck(new TcpHealthCheck(0, FAST))
                .build();
        assertThat(violations(udpOnly))
                .containsExactly(new Violation(AT + "healthCheck.port", "the service has no TCP port to probe"));
    }

    @Test
    void anHttpCheckOnAPortThatDoesNotCarryHttpIsRefused() {
        HttpHealthCheck http = new HttpHealthCheck(80, "/healthz", null, FAST);
        assertThat(violations(api().healthCheck(http).build())).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo(AT + "healthCheck");
            assertThat(v.reason()).contains("port 80 has appProtocol TCP and the service is L4");
        });
        Service httpPort = Service.builder("shop", "api")
                .vip("10.96.0.2")
                .tcp(80, 8080, AppProtocol.HTTP)
                .healthCheck(http)
                .build();
        assertThat(violations(httpPort)).isEmpty();
        Service l7 = Service.builder("shop", "api")
                .vip("10.96.0.2")
                .tcp(80, 8080)
                .layer(ServiceLayer.L7)
                .healthCheck(http)
                .build();
        assertThat(violations(l7)).isEmpty();
    }

    @Test
    void badHttpCheckFieldsAreNamed() {
        HttpHealthCheck bad = new HttpHealthCheck(0, "health z", new HttpHealthCheck.StatusRange(500, 99), FAST);
        Service s = Service.builder("shop", "api")
                .vip("10.96.0.2")
                .tcp(80, 8080, AppProtocol.HTTP)
                .healthCheck(bad)
                .build();
        assertThat(violations(s))
                .extracting(Violation::path)
                .containsExactly(AT + "healthCheck.path", AT + "healthCheck.expected.max", AT + "healthCheck.expected");
    }

    @Test
    void scheduleRangesAndUnits() {
        HealthCheckSchedule bad = new HealthCheckSchedule(Duration.ofNanos(1500), Duration.ofSeconds(2), -2, -1);
        assertThat(violations(api().healthCheck(new TcpHealthCheck(80, bad)).build()))
                .containsExactly(
                        new Violation(AT + "healthCheck.schedule.interval", "PT0.0000015S must be at least 1ms"),
                        new Violation(
                                AT + "healthCheck.schedule.timeout",
                                "PT2S is longer than the interval PT0.0000015S: probes of one endpoint would overlap"),
                        new Violation(
                                AT + "healthCheck.schedule.healthyThreshold",
                                "-2 must not be negative (0 keeps the default)"),
                        new Violation(
                                AT + "healthCheck.schedule.unhealthyThreshold",
                                "-1 must not be negative (0 keeps the default)"));
        HealthCheckSchedule fractional =
                new HealthCheckSchedule(Duration.ofNanos(1_500_000), Duration.ofMillis(1), 1, 1);
        assertThat(violations(
                        api().healthCheck(new TcpHealthCheck(80, fractional)).build()))
                .containsExactly(new Violation(
                        AT + "healthCheck.schedule.interval", "PT0.0015S is not a whole number of milliseconds"));
    }

    @Test
    void outlierDetectionRanges() {
        OutlierDetection bad = new OutlierDetection(0, 0, Duration.ZERO, 101, Duration.ofDays(2));
        assertThat(new OutlierDetection(5, 0, null, 0, null))
                .isEqualTo(new OutlierDetection(5, 0, Duration.ofSeconds(30), 10, Duration.ofSeconds(10)));
        assertThat(violations(api().outlierDetection(bad).build()))
                .containsExactly(
                        new Violation(
                                AT + "outlierDetection",
                                "detects nothing: consecutive5xx and consecutiveConnectFailures are both 0"),
                        new Violation(AT + "outlierDetection.baseEjectionTime", "PT0S must be at least 1ms"),
                        new Violation(AT + "outlierDetection.interval", "PT48H is longer than a day"),
                        new Violation(AT + "outlierDetection.maxEjectionPercent", "101 is not a percentage (0..100)"));
    }

    @Test
    void zeroMeansTheDefault() {
        assertThat(new CircuitBreakers(0, 0, 0, 0)).isEqualTo(CircuitBreakers.DEFAULT);
        assertThat(new HealthCheckSchedule(null, null, 0, 0)).isEqualTo(HealthCheckSchedule.DEFAULT);
        assertThat(HealthCheckSchedule.DEFAULT.detectionTime()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void circuitBreakerAndTimeoutRanges() {
        Service s = api().circuitBreakers(new CircuitBreakers(-1, 0, -3, -1))
                .connectTimeout(Duration.ofSeconds(-1))
                .build();
        assertThat(violations(s))
                .containsExactly(
                        new Violation(
                                AT + "circuitBreakers.maxConnections", "-1 must not be negative (0 keeps the default)"),
                        new Violation(
                                AT + "circuitBreakers.maxRequests", "-3 must not be negative (0 keeps the default)"),
                        new Violation(
                                AT + "circuitBreakers.maxRetries", "-1 must not be negative (0 keeps the default)"),
                        new Violation(AT + "timeouts.connect", "PT-1S must not be negative (zero keeps the default)"));
    }

    @Test
    void anIncrementalValidationChecksAChangedResilience() {
        MeshState before = MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .service(api().build())
                .build();
        MeshState after = before.toBuilder()
                .removeService("shop/api")
                .service(api().circuitBreakers(new CircuitBreakers(-5, 1, 1, 1)).build())
                .build();
        assertThat(after.validate(before))
                .containsExactly(new Violation(
                        AT + "circuitBreakers.maxConnections", "-5 must not be negative (0 keeps the default)"));
    }
}
