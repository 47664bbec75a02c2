package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.CircuitBreakers;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.OutlierDetection;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.TcpHealthCheck;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health checks, outlier detection and circuit breakers in the reference semantics: a backend marked down keeps being
 * picked until the check has failed {@code unhealthyThreshold} times (thresholds × interval of virtual time), then never
 * again until it passes {@code healthyThreshold} probes; ejections last base × count and never exceed the max percent;
 * a full circuit breaker refuses with {@link Verdict#OVERFLOW}.
 */
class EndpointHealthTest {
    private static final Source CLIENT = Source.workload("shop/client");
    private static final HealthCheckSchedule EVERY_SECOND =
            new HealthCheckSchedule(Duration.ofSeconds(1), Duration.ofMillis(200), 2, 3);

    private final SimulatedDataplane dp = SimulatedDataplane.seeded(11);
    private final List<FlowEvent> events = new ArrayList<>();
    private final List<Workload> pods = SimWorld.webPods(4);

    {
        dp.flows().subscribe(events::add);
    }

    @AfterEach
    void close() {
        dp.close();
    }

    private static Service.Builder web() {
        return SimWorld.web(LoadBalancing.ROUND_ROBIN).toBuilder();
    }

    private void apply(Service web) {
        dp.apply(SimWorld.state(pods).service(web).build());
    }

    private String ip(int pod) {
        return pods.get(pod).ips().getFirst();
    }

    /** Connects {@code n} times, closing each; the verdicts of the refused ones. */
    private List<Verdict> connectMany(int n) {
        List<Verdict> refused = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (dp.connect(CLIENT, SimWorld.VIP, 80)) {
                case ConnectResult.Connected c -> dp.close(c.connection());
                case ConnectResult.Refused r -> refused.add(r.verdict());
            }
        }
        return refused;
    }

    @Test
    void withoutAHealthCheckADeadBackendKeepsBeingPicked() {
        apply(web().build());
        dp.setCondition(ip(1), BackendCondition.DOWN);
        dp.advance(Duration.ofMinutes(5));
        assertThat(connectMany(8)).containsExactly(Verdict.BACKEND_FAILED, Verdict.BACKEND_FAILED);
        assertThat(events)
                .filteredOn(e -> e.verdict() == Verdict.BACKEND_FAILED)
                .allSatisfy(e -> assertThat(e.backend().ip()).isEqualTo(ip(1)));
    }

    @Test
    void aTcpCheckTakesADeadBackendOutAfterThresholdTimesIntervalAndBackAfterItRecovers() {
        apply(web().healthCheck(new TcpHealthCheck(80, EVERY_SECOND)).build());
        dp.setCondition(ip(1), BackendCondition.DOWN);
        dp.advance(Duration.ofSeconds(2)); // two failed probes of three
        assertThat(dp.inRotation("shop/web", ip(1))).isTrue();
        assertThat(connectMany(4)).containsExactly(Verdict.BACKEND_FAILED);

        dp.advance(Duration.ofSeconds(1)); // the third: 3 × 1 s after it died
        assertThat(dp.inRotation("shop/web", ip(1))).isFalse();
        assertThat(connectMany(100)).isEmpty();

        dp.setCondition(ip(1), BackendCondition.UP);
        dp.advance(Duration.ofSeconds(1));
        assertThat(dp.inRotation("shop/web", ip(1))).isFalse(); // one pass of two
        dp.advance(Duration.ofSeconds(1));
        assertThat(dp.inRotation("shop/web", ip(1))).isTrue();
        int before = events.size();
        connectMany(4);
        assertThat(events.subList(before, events.size()))
                .filteredOn(e -> e.type() == FlowEvent.Type.TRANSLATE)
                .extracting(e -> e.backend().ip())
                .contains(ip(1));
    }

    @Test
    void probesRunOnTheIntervalGridAndALongAdvanceSettles() {
        apply(web().healthCheck(new TcpHealthCheck(0, EVERY_SECOND)).build());
        dp.setCondition(ip(2), BackendCondition.DOWN);
        dp.advance(Duration.ofMillis(2999)); // probes at 1 s and 2 s only
        assertThat(dp.inRotation("shop/web", ip(2))).isTrue();
        dp.advance(Duration.ofMillis(1));
        assertThat(dp.inRotation("shop/web", ip(2))).isFalse();
        dp.advance(Duration.ofDays(3));
        assertThat(dp.inRotation("shop/web", ip(2))).isFalse();
    }

    @Test
    void anHttpCheckFailsABackendAnsweringErrorsThatATcpCheckPasses() {
        Service.Builder http = web().ports(List.of(io.nodemesh.api.state.ServicePort.tcp(80, 8080, AppProtocol.HTTP)));
        apply(http.healthCheck(new TcpHealthCheck(80, EVERY_SECOND)).build());
        dp.setCondition(ip(0), BackendCondition.SERVER_ERRORS);
        dp.advance(Duration.ofSeconds(10));
        assertThat(dp.inRotation("shop/web", ip(0))).isTrue();

        apply(http.healthCheck(new HttpHealthCheck(80, "/healthz", null, EVERY_SECOND))
                .build());
        dp.advance(Duration.ofSeconds(3));
        assertThat(dp.inRotation("shop/web", ip(0))).isFalse();
    }

    @Test
    void everyBackendDownLeavesNoBackend() {
        apply(web().healthCheck(new TcpHealthCheck(80, EVERY_SECOND)).build());
        for (int i = 0; i < pods.size(); i++) dp.setCondition(ip(i), BackendCondition.DOWN);
        dp.advance(Duration.ofSeconds(3));
        ConnectResult r = dp.connect(CLIENT, SimWorld.VIP, 80);
        assertThat(r).isInstanceOfSatisfying(ConnectResult.Refused.class, refused -> {
            assertThat(refused.verdict()).isEqualTo(Verdict.NO_BACKEND);
            assertThat(refused.reason()).contains("in rotation");
        });
    }

    @Test
    void outlierEjectionLastsBaseTimesCountAndNeverExceedsTheMaxPercent() {
        OutlierDetection twoFailures = new OutlierDetection(0, 2, Duration.ofSeconds(10), 50, Duration.ofSeconds(1));
        apply(web().layer(ServiceLayer.L7).outlierDetection(twoFailures).build());
        for (int i = 1; i < 4; i++) dp.setCondition(ip(i), BackendCondition.DOWN);
        for (int i = 0; i < 40; i++) dp.request(CLIENT, SimWorld.VIP, 80, HttpRequest.get("/"));
        // Three are down, but 50 % of four is two: one dead backend stays in rotation.
        List<Boolean> inRotation = List.of(
                dp.inRotation("shop/web", ip(1)), dp.inRotation("shop/web", ip(2)), dp.inRotation("shop/web", ip(3)));
        assertThat(inRotation).containsExactlyInAnyOrder(false, false, true);
        List<String> ejected = new ArrayList<>();
        for (int i = 1; i < 4; i++) if (!inRotation.get(i - 1)) ejected.add(ip(i));
        assertThat(dp.inRotation("shop/web", ip(0))).isTrue();

        dp.advance(Duration.ofMillis(9999));
        assertThat(inRotation("shop/web")).isEqualTo(2);
        dp.advance(Duration.ofMillis(1)); // base ejection time is up
        assertThat(inRotation("shop/web")).isEqualTo(4);

        // Only one of the ejected stays down: it is ejected again, now for twice the base time.
        String again = ejected.getFirst();
        for (int i = 1; i < 4; i++) if (!ip(i).equals(again)) dp.setCondition(ip(i), BackendCondition.UP);
        assertThat(ejectedAfterRequests()).isEqualTo(again);
        dp.advance(Duration.ofSeconds(10));
        assertThat(dp.inRotation("shop/web", again)).isFalse();
        dp.advance(Duration.ofSeconds(10));
        assertThat(dp.inRotation("shop/web", again)).isTrue();
    }

    /** Sends requests until one endpoint is ejected; returns it. */
    private String ejectedAfterRequests() {
        for (int i = 0; i < 40; i++) {
            dp.request(CLIENT, SimWorld.VIP, 80, HttpRequest.get("/"));
            for (int p = 1; p < 4; p++) if (!dp.inRotation("shop/web", ip(p))) return ip(p);
        }
        throw new AssertionError("nothing was ejected");
    }

    private int inRotation(String service) {
        int n = 0;
        for (int i = 0; i < pods.size(); i++) if (dp.inRotation(service, ip(i))) n++;
        return n;
    }

    @Test
    void consecutiveServerErrorsEjectAndAnAnswerResetsTheCount() {
        OutlierDetection three5xx = new OutlierDetection(3, 0, Duration.ofSeconds(30), 100, Duration.ofSeconds(5));
        apply(web().layer(ServiceLayer.L7).outlierDetection(three5xx).build());
        dp.setCondition(ip(3), BackendCondition.SERVER_ERRORS);
        // Round robin: pod 3 answers every fourth request; three of its 503s in a row take 12 requests.
        for (int i = 0; i < 11; i++) dp.request(CLIENT, SimWorld.VIP, 80, HttpRequest.get("/"));
        assertThat(dp.inRotation("shop/web", ip(3))).isTrue();
        dp.request(CLIENT, SimWorld.VIP, 80, HttpRequest.get("/"));
        assertThat(dp.inRotation("shop/web", ip(3))).isFalse();
    }

    @Test
    void aFullCircuitBreakerRefusesWithOverflowUntilAConnectionCloses() {
        apply(web().layer(ServiceLayer.L7)
                .circuitBreakers(CircuitBreakers.DEFAULT.withMaxConnections(2))
                .build());
        SimConnection a = dp.connect(CLIENT, SimWorld.VIP, 80).connection();
        dp.connect(CLIENT, SimWorld.VIP, 80).connection();
        ConnectResult third = dp.connect(CLIENT, SimWorld.VIP, 80);
        assertThat(third).isInstanceOfSatisfying(ConnectResult.Refused.class, r -> {
            assertThat(r.verdict()).isEqualTo(Verdict.OVERFLOW);
            assertThat(r.reason()).contains("maxConnections 2");
        });
        assertThat(dp.flows().stats().byVerdict()).containsEntry(Verdict.OVERFLOW, 1L);
        dp.close(a);
        assertThat(dp.connect(CLIENT, SimWorld.VIP, 80).connected()).isTrue();
    }

    @Test
    void circuitBreakersDoNotLimitL4Services() {
        apply(web().circuitBreakers(CircuitBreakers.DEFAULT.withMaxConnections(1))
                .build());
        assertThat(dp.connect(CLIENT, SimWorld.VIP, 80).connected()).isTrue();
        assertThat(dp.connect(CLIENT, SimWorld.VIP, 80).connected()).isTrue();
    }

    @Test
    void conditionsNeedAnAddressAndRotationAService() {
        apply(web().build());
        assertThatThrownBy(() -> dp.setCondition("pod-1", BackendCondition.DOWN))
                .hasMessageContaining("'pod-1' is not an IP address");
        assertThatThrownBy(() -> dp.inRotation("shop/nope", ip(0))).hasMessageContaining("no service 'shop/nope'");
    }
}
