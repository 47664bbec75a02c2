package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.CircuitBreakers;
import io.nodemesh.api.state.ConnectionTimeouts;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.OutlierDetection;
import io.nodemesh.api.state.Resilience;
import io.nodemesh.api.state.TcpHealthCheck;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code resilience:} of a service: every part read, defaults filled, written only when set, errors located. */
class ResilienceFilesTest {
    private static String yaml(String resilience) {
        return """
            nodes:
              - name: node-a
                addresses: [192.168.0.1]
                podCidrs: [10.1.0.0/24]
            services:
              - namespace: shop
                name: api
                vips: [10.96.0.10]
                ports:
                  - {port: 80, targetPort: 8080, appProtocol: http}
                  - {port: 81}
            %s
            """.formatted(resilience);
    }

    private static final String FULL = """
                resilience:
                  healthCheck:
                    type: http
                    path: /healthz
                    expected: {min: 200, max: 204}
                    schedule: {interval: 2s, timeout: 500ms, unhealthyThreshold: 4}
                  outlierDetection: {consecutive5xx: 3, baseEjectionTime: 10s, maxEjectionPercent: 50}
                  circuitBreakers: {maxConnections: 100, maxRequests: 200}
                  timeouts: {connect: 250ms, idle: 5m}
            """;

    @Test
    void readsEveryPartAndFillsWhatIsLeftOut() throws Exception {
        MeshState s = MeshStateFiles.parse("m.yaml", yaml(FULL), StateFormat.YAML);
        Resilience r = s.services().getFirst().resilience();
        assertThat(r.healthCheck())
                .contains(new HttpHealthCheck(
                        0,
                        "/healthz",
                        new HttpHealthCheck.StatusRange(200, 204),
                        new HealthCheckSchedule(Duration.ofSeconds(2), Duration.ofMillis(500), 2, 4)));
        assertThat(r.outlierDetection())
                .contains(new OutlierDetection(3, 0, Duration.ofSeconds(10), 50, Duration.ofSeconds(10)));
        assertThat(r.circuitBreakers()).contains(new CircuitBreakers(100, 1024, 200, 3));
        assertThat(r.timeouts()).isEqualTo(new ConnectionTimeouts(Duration.ofMillis(250), Duration.ofMinutes(5)));
        assertThat(s.validate()).isEmpty();
    }

    @Test
    void aTcpCheckAndAnAbsentResilience() throws Exception {
        MeshState tcp = MeshStateFiles.parse(
                "m.yaml", yaml("    resilience: {healthCheck: {type: tcp, port: 81}}"), StateFormat.YAML);
        assertThat(tcp.services().getFirst().resilience().healthCheck())
                .contains(new TcpHealthCheck(81, HealthCheckSchedule.DEFAULT));
        MeshState none = MeshStateFiles.parse("m.yaml", yaml(""), StateFormat.YAML);
        assertThat(none.services().getFirst().resilience()).isEqualTo(Resilience.NONE);
        assertThat(MeshStateFiles.write(none, StateFormat.YAML)).doesNotContain("resilience");
    }

    @Test
    void writesItAndReadsBackEqual() throws Exception {
        MeshState s = MeshStateFiles.parse("m.yaml", yaml(FULL), StateFormat.YAML);
        String written = MeshStateFiles.write(s, StateFormat.YAML);
        assertThat(written).contains("type: http").contains("connect: 250ms").doesNotContain("healthCheck: null");
        assertThat(MeshStateFiles.parse("again.yaml", written, StateFormat.YAML))
                .isEqualTo(s);
        assertThat(MeshStateFiles.parse("again.json", MeshStateFiles.write(s, StateFormat.JSON), StateFormat.JSON))
                .isEqualTo(s);
        MeshState onlyBreakers = MeshStateFiles.parse(
                "m.yaml", yaml("    resilience: {circuitBreakers: {maxConnections: 7}}"), StateFormat.YAML);
        String terse = MeshStateFiles.write(onlyBreakers, StateFormat.YAML);
        assertThat(terse).doesNotContain("timeouts").doesNotContain("healthCheck");
        assertThat(MeshStateFiles.parse("again.yaml", terse, StateFormat.YAML)).isEqualTo(onlyBreakers);
    }

    @Test
    void anUnknownCheckTypeIsAParseProblemAtItsField() {
        CheckedState checked =
                MeshStateFiles.check("m.yaml", yaml("    resilience: {healthCheck: {type: grpc}}"), StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).startsWith("services[0].resilience.healthCheck");
            assertThat(p.line()).isEqualTo(12);
            assertThat(p.reason()).isEqualTo("'grpc' is not a health check type (expected one of: http, tcp)");
        });
    }

    @Test
    void violationsAreLocatedAtTheirLine() {
        CheckedState checked = MeshStateFiles.check("m.yaml", yaml("""
                    resilience:
                      healthCheck: {type: http, port: 81}
                      circuitBreakers: {maxConnections: -1}
                """), StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems())
                .extracting(p -> p.line() + " " + p.path())
                .containsExactly(
                        "13 services[shop/api].resilience.healthCheck",
                        "14 services[shop/api].resilience.circuitBreakers.maxConnections");
    }

    @Test
    void anEmptyResilienceIsNone() throws Exception {
        MeshState s = MeshStateFiles.parse("m.yaml", yaml("    resilience: {}"), StateFormat.YAML);
        assertThat(s.services().getFirst().resilience()).isEqualTo(Resilience.NONE);
        assertThat(s.services().getFirst().resilience().healthCheck()).isEqualTo(Optional.empty());
    }
}
