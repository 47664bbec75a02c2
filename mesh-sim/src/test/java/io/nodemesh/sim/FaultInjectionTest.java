package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Route faults in the node proxy: aborts answer with their status, delays are reported, shares follow the seed. */
class FaultInjectionTest {
    private static final String VIP = "10.96.0.10";
    private static final Source CLIENT = Source.workload("shop/client");
    private static final List<Workload> PODS = List.of(SimWorld.pod("web-a", 0, 10, Map.of("app", "web")));

    /** shop/web (L7): /api gets {@code fault}, everything else goes through untouched. */
    private static MeshState state(HttpFault fault) {
        WeightedBackend web = new WeightedBackend("shop/web", 0, 1);
        HttpRoute route = new HttpRoute(
                SimWorld.NS,
                "web",
                "shop/web",
                List.of(
                        new HttpRouteRule(
                                List.of(HttpMatch.path(PathMatch.prefix("/api"))), List.of(web), null, null, fault),
                        new HttpRouteRule(List.of(), List.of(web), null, null)));
        return SimWorld.state(PODS)
                .service(new Service(
                        SimWorld.NS,
                        "web",
                        List.of(VIP),
                        List.of(ServicePort.tcp(80, 8080)),
                        List.of(),
                        Map.of("app", "web"),
                        LoadBalancing.RANDOM,
                        SessionAffinity.NONE,
                        ServiceLayer.L7))
                .route(route)
                .build();
    }

    private static List<RequestResult> requests(SimulatedDataplane dp, String path, int n) {
        List<RequestResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(dp.request(CLIENT, VIP, 80, HttpRequest.get(path)));
        return out;
    }

    @Test
    void abortAllAnswersWithTheStatusAndNoBackendSeesIt() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(5)) {
            List<FlowEvent> events = new ArrayList<>();
            dp.flows().subscribe(events::add);
            dp.apply(state(HttpFault.abort(503, 100)));
            for (RequestResult r : requests(dp, "/api/items", 20)) {
                assertThat(r).isInstanceOfSatisfying(RequestResult.Rejected.class, rejected -> {
                    assertThat(rejected.status()).isEqualTo(503);
                    assertThat(rejected.verdict()).isEqualTo(Verdict.NO_BACKEND);
                    assertThat(rejected.reason()).contains("fault injected by rule 0 of route shop/web");
                });
            }
            assertThat(events).filteredOn(e -> e.type() == FlowEvent.Type.DROP).hasSize(20);
            assertThat(requests(dp, "/other", 5)).as("rules without a fault").allMatch(RequestResult::routed);
        }
    }

    @Test
    void abortShareFollowsThePercentageAndTheSeed() {
        List<Boolean> first = null;
        for (int run = 0; run < 2; run++) {
            try (SimulatedDataplane dp = SimulatedDataplane.seeded(7)) {
                dp.apply(state(HttpFault.abort(429, 30)));
                List<RequestResult> results = requests(dp, "/api", 2000);
                List<Boolean> aborted = results.stream().map(r -> !r.routed()).toList();
                long n = aborted.stream().filter(b -> b).count();
                // Binomial with p = 0.3, n = 2000: sd ≈ 0.010; ±0.05 is five sd.
                assertThat(n / 2000.0).isBetween(0.25, 0.35);
                assertThat(results)
                        .filteredOn(r -> !r.routed())
                        .allSatisfy(r -> assertThat(((RequestResult.Rejected) r).status())
                                .isEqualTo(429));
                if (first == null) first = aborted;
                else
                    assertThat(aborted)
                            .as("the same seed aborts the same requests")
                            .isEqualTo(first);
            }
        }
    }

    @Test
    void delayIsReportedOnTheRoutedRequests() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(5)) {
            dp.apply(state(HttpFault.delay(Duration.ofSeconds(2), 50)));
            List<RequestResult> results = requests(dp, "/api", 1000);
            assertThat(results).allMatch(RequestResult::routed);
            List<Duration> delays = results.stream()
                    .map(r -> ((RequestResult.Routed) r).delay())
                    .toList();
            assertThat(delays).containsOnly(Duration.ZERO, Duration.ofSeconds(2));
            long delayed = delays.stream().filter(Duration::isPositive).count();
            // Binomial with p = 0.5, n = 1000: sd ≈ 0.016; ±0.08 is five sd.
            assertThat(delayed / 1000.0).isBetween(0.42, 0.58);
            assertThat(requests(dp, "/other", 20))
                    .allMatch(r -> ((RequestResult.Routed) r).delay().isZero());
        }
    }
}
