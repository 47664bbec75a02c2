package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.gen.MeshStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Over generated states (L7 services, routes, policies with HTTP conditions), every request through the node proxy
 * agrees with the rules written down independently here: the first matching rule of the service's routes, a backend
 * with positive weight, a ready endpoint of it, and L7 policy as {@link MeshIndex#allows} gives it on a state where
 * each policy's HTTP conditions have been resolved against the request.
 */
class L7ReferenceSemanticsTest {
    private static final List<HttpRequest> REQUESTS = List.of(
            HttpRequest.get("/"),
            HttpRequest.get("/api/items?page=2"),
            HttpRequest.get("/healthz"),
            new HttpRequest("POST", "/admin/reset", Map.of("x-canary", "true", "x-team", "*")),
            HttpRequest.of("POST", "/admin/reset"),
            HttpRequest.get("/v2/items"),
            HttpRequest.of("DELETE", "/other"));
    private static final String NEVER = "spiffe://never.invalid/matches";

    @Provide
    Arbitrary<MeshState> states() {
        return MeshStates.validStates();
    }

    @Property(tries = 150)
    void everyRequestFollowsTheReferenceSemantics(@ForAll("states") MeshState state) {
        List<FlowEvent> events = new ArrayList<>();
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(state.hashCode())) {
            dp.flows().subscribe(events::add);
            dp.apply(state);
            MeshIndex index = state.index();
            for (Service s : state.services()) {
                if (!s.l7()) continue;
                Optional<ServicePort> tcp = s.ports().stream()
                        .filter(p -> p.protocol() == Protocol.TCP)
                        .findFirst();
                if (tcp.isEmpty()) continue;
                for (Workload w : state.workloads()
                        .subList(0, Math.min(4, state.workloads().size()))) {
                    for (HttpRequest request : REQUESTS) {
                        check(dp, index, w, s, s.vips().getFirst(), tcp.get().port(), request, events);
                    }
                }
            }
        }
    }

    private static void check(
            SimulatedDataplane dp,
            MeshIndex index,
            Workload w,
            Service s,
            String vip,
            int port,
            HttpRequest request,
            List<FlowEvent> events) {
        RequestResult r = dp.request(Source.workload(w.key()), vip, port, request);
        String what = w.key() + " " + request.method() + " " + request.path() + " -> " + s.key() + " gave " + r;
        Statistics.collect(
                r instanceof RequestResult.Rejected(int status, Verdict v, String why)
                        ? "rejected " + status
                        : "routed");
        List<HttpRoute> routes = index.state().routes().stream()
                .filter(rt -> rt.service().equals(s.key()))
                .toList();
        Optional<RuleRef> rule = firstMatch(routes, request);
        switch (r) {
            case RequestResult.Routed routed -> {
                if (routes.isEmpty()) {
                    assertThat(routed.rule()).as(what).isEqualTo(-1);
                    assertThat(routed.service()).as(what).isEqualTo(s.key());
                    assertThat(routed.delay()).as(what).isZero();
                } else {
                    assertThat(rule).as(what).isPresent();
                    assertThat(routed.route()).as(what).isEqualTo(rule.get().route());
                    assertThat(routed.rule()).as(what).isEqualTo(rule.get().index());
                    assertThat(positive(rule.get().rule())).as(what).contains(routed.service());
                    // A rule's fault: an abort of every request never routes; a delay is the rule's or none.
                    HttpFault fault = rule.get().rule().fault();
                    assertThat(fault.abortPercent()).as(what).isLessThan(100);
                    assertThat(routed.delay())
                            .as(what)
                            .isIn(Duration.ZERO, fault.delays() ? fault.delay() : Duration.ZERO);
                    if (fault.delays() && fault.delayPercent() == 100)
                        assertThat(routed.delay()).as(what).isEqualTo(fault.delay());
                }
                Service target = index.service(routed.service()).orElseThrow();
                assertThat(index.readyEndpoints(target))
                        .as(what)
                        .extracting(e -> IpAddresses.canonical(e.ip()))
                        .contains(IpAddresses.canonical(routed.backend().ip()));
                assertThat(referenceAllows(index, w.identity(), routed.backend(), s.key(), request))
                        .as(what)
                        .isTrue();
            }
            case RequestResult.Redirected redirected -> {
                assertThat(rule).as(what).isPresent();
                assertThat(rule.get().rule().redirect()).as(what).isPresent();
            }
            case RequestResult.Rejected(int status, Verdict verdict, String reason)
            when reason.startsWith("fault injected") -> {
                assertThat(rule).as(what).isPresent();
                HttpFault fault = rule.get().rule().fault();
                assertThat(fault.aborts()).as(what).isTrue();
                assertThat(status).as(what).isEqualTo(fault.abortStatus());
                assertThat(verdict).as(what).isEqualTo(Verdict.NO_BACKEND);
            }
            case RequestResult.Rejected(int status, Verdict verdict, String reason) -> {
                switch (status) {
                    case 404 ->
                        assertThat(!routes.isEmpty() && rule.isEmpty()).as(what).isTrue();
                    case 503 -> {
                        List<String> candidates = routes.isEmpty()
                                ? List.of(s.key())
                                : positive(rule.orElseThrow().rule());
                        assertThat(candidates)
                                .as(what)
                                .anySatisfy(c -> assertThat(index.readyEndpoints(
                                                index.service(c).orElseThrow()))
                                        .isEmpty());
                    }
                    case 403 -> {
                        assertThat(verdict).as(what).isEqualTo(Verdict.DROPPED_POLICY);
                        FlowPeer backend = events.getLast().backend();
                        assertThat(referenceAllows(index, w.identity(), backend, s.key(), request))
                                .as(what)
                                .isFalse();
                    }
                    default -> throw new AssertionError(what);
                }
            }
        }
    }

    private record RuleRef(String route, int index, HttpRouteRule rule) {}

    private static Optional<RuleRef> firstMatch(List<HttpRoute> routes, HttpRequest request) {
        for (HttpRoute route : routes) {
            for (int i = 0; i < route.rules().size(); i++) {
                HttpRouteRule rule = route.rules().get(i);
                if (rule.matches().isEmpty() || rule.matches().stream().anyMatch(m -> fits(m, request))) {
                    return Optional.of(new RuleRef(route.key(), i, rule));
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> positive(HttpRouteRule rule) {
        return rule.backends().stream()
                .filter(b -> b.weight() > 0)
                .map(WeightedBackend::service)
                .toList();
    }

    /**
     * L7 policy by rewriting the state: a policy whose HTTP conditions the request fails no longer matches (a DENY is
     * dropped; an ALLOW keeps selecting its destinations, so they stay default-deny, but names a source nobody has).
     */
    private static boolean referenceAllows(
            MeshIndex index, String source, FlowPeer backend, String service, HttpRequest request) {
        MeshState state = index.state();
        List<Policy> resolved = new ArrayList<>();
        for (Policy p : state.policies()) {
            boolean fits = p.http().isEmpty() || p.http().stream().anyMatch(m -> fits(m, request));
            if (fits) {
                resolved.add(p);
            } else if (p.action() == PolicyAction.ALLOW) {
                resolved.add(new Policy(
                        p.namespace(),
                        p.name(),
                        p.action(),
                        List.of(NEVER),
                        p.destinations(),
                        p.services(),
                        p.ports(),
                        List.of()));
            }
        }
        MeshState rewritten = new MeshState(
                state.nodes(), state.workloads(), state.services(), resolved, state.routes(), state.encryption());
        return rewritten.index().allows(source, backend.identity(), service, backend.port());
    }

    /** Envoy's matching, written out: path without query (exact, prefix, whole-path regex), method, exact headers. */
    private static boolean fits(HttpMatch m, HttpRequest request) {
        String path = request.path().split("\\?", 2)[0];
        boolean pathOk = switch (m.path().kind()) {
            case EXACT -> path.equals(m.path().value());
            case PREFIX -> path.startsWith(m.path().value());
            case REGEX -> Pattern.matches(m.path().value(), path);
        };
        return pathOk
                && (m.method().isEmpty() || m.method().equals(request.method()))
                && m.headers().entrySet().stream()
                        .allMatch(h -> h.getValue()
                                .equals(request.headers().get(h.getKey().toLowerCase())));
    }
}
