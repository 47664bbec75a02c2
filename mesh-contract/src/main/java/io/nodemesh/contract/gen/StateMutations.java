package io.nodemesh.contract.gen;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The changes a running mesh goes through — an endpoint turning not-ready or terminating or going away, a workload
 * leaving, load balancing or affinity switched, weights shifted, a policy flipped or dropped, encryption changed — for
 * {@link MeshStates#evolutions}. A change that would make the state invalid (a policy still naming the identity of a
 * workload that left) is not made: the step makes the next kind of change instead.
 */
final class StateMutations {
    /** One change: {@code pick} chooses the object, {@code value} the new setting. */
    record Step(int kind, int pick, int value) {}

    private static final List<BiFunction<MeshState, Step, MeshState>> KINDS = List.of(
            StateMutations::endpointState,
            StateMutations::removeEndpoint,
            StateMutations::removeWorkload,
            StateMutations::loadBalancing,
            StateMutations::affinity,
            StateMutations::routeWeights,
            StateMutations::flipPolicy,
            StateMutations::removePolicy,
            StateMutations::encryption);

    static final int KIND_COUNT = KINDS.size();

    private StateMutations() {}

    /** The states a sequence of steps goes through, starting with {@code start}; each one valid. */
    static List<MeshState> evolve(MeshState start, List<Step> steps) {
        List<MeshState> states = new ArrayList<>(List.of(start));
        MeshState current = start;
        for (Step step : steps) {
            // The chosen kind, or the next that changes something and keeps the state valid.
            for (int k = 0; k < KINDS.size(); k++) {
                MeshState next =
                        KINDS.get(Math.floorMod(step.kind() + k, KINDS.size())).apply(current, step);
                if (!next.equals(current) && next.validate().isEmpty()) {
                    current = next;
                    break;
                }
            }
            states.add(current);
        }
        return List.copyOf(states);
    }

    private static MeshState endpointState(MeshState s, Step step) {
        return withListedEndpoints(s, step, (service, endpoints) -> {
            int i = Math.floorMod(step.value(), endpoints.size());
            EndpointState[] states = EndpointState.values();
            endpoints.set(
                    i,
                    endpoints.get(i).withState(states[Math.floorMod(step.value() / endpoints.size(), states.length)]));
        });
    }

    private static MeshState removeEndpoint(MeshState s, Step step) {
        return withListedEndpoints(
                s, step, (service, endpoints) -> endpoints.remove(Math.floorMod(step.value(), endpoints.size())));
    }

    /** A pod going away takes its endpoints with it. */
    private static MeshState removeWorkload(MeshState s, Step step) {
        if (s.workloads().isEmpty()) return s;
        Workload gone =
                s.workloads().get(Math.floorMod(step.pick(), s.workloads().size()));
        List<Workload> workloads = s.workloads().stream().filter(w -> w != gone).toList();
        List<Service> services = s.services().stream()
                .map(v -> v.withEndpoints(v.endpoints().stream()
                        .filter(e -> !e.workload().equals(gone.key()))
                        .toList()))
                .toList();
        return new MeshState(s.nodes(), workloads, services, s.policies(), s.routes(), s.encryption());
    }

    private static MeshState loadBalancing(MeshState s, Step step) {
        if (s.services().isEmpty()) return s;
        Service v = s.services().get(Math.floorMod(step.pick(), s.services().size()));
        LoadBalancing[] modes = LoadBalancing.values();
        return s.withService(v.key(), x -> x.withLoadBalancing(modes[Math.floorMod(step.value(), modes.length)]));
    }

    private static MeshState affinity(MeshState s, Step step) {
        if (s.services().isEmpty()) return s;
        Service v = s.services().get(Math.floorMod(step.pick(), s.services().size()));
        return s.withService(
                v.key(),
                x -> x.withAffinity(
                        x.affinity().enabled()
                                ? SessionAffinity.NONE
                                : SessionAffinity.clientIp(Duration.ofSeconds(1 + Math.floorMod(step.value(), 3600)))));
    }

    private static MeshState routeWeights(MeshState s, Step step) {
        if (s.routes().isEmpty()) return s;
        int r = Math.floorMod(step.pick(), s.routes().size());
        HttpRoute route = s.routes().get(r);
        if (route.rules().isEmpty()) return s;
        HttpRouteRule rule = route.rules().getFirst();
        List<WeightedBackend> backends = new ArrayList<>();
        for (int b = 0; b < rule.backends().size(); b++) {
            WeightedBackend wb = rule.backends().get(b);
            // Shift weight towards one backend; the first always keeps some so the rule stays routable.
            int weight = b == Math.floorMod(step.value(), rule.backends().size()) ? 100 : (b == 0 ? 1 : 0);
            backends.add(new WeightedBackend(wb.service(), wb.port(), weight));
        }
        List<HttpRouteRule> rules = new ArrayList<>(route.rules());
        rules.set(0, new HttpRouteRule(rule.matches(), backends, rule.timeout(), rule.retries(), rule.fault()));
        List<HttpRoute> routes = new ArrayList<>(s.routes());
        routes.set(r, new HttpRoute(route.namespace(), route.name(), route.service(), rules));
        return new MeshState(s.nodes(), s.workloads(), s.services(), s.policies(), routes, s.encryption());
    }

    private static MeshState flipPolicy(MeshState s, Step step) {
        if (s.policies().isEmpty()) return s;
        int i = Math.floorMod(step.pick(), s.policies().size());
        Policy p = s.policies().get(i);
        PolicyAction flipped = p.action() == PolicyAction.ALLOW ? PolicyAction.DENY : PolicyAction.ALLOW;
        List<Policy> policies = new ArrayList<>(s.policies());
        policies.set(
                i,
                new Policy(
                        p.namespace(),
                        p.name(),
                        flipped,
                        p.sources(),
                        p.destinations(),
                        p.services(),
                        p.ports(),
                        p.http()));
        return new MeshState(s.nodes(), s.workloads(), s.services(), policies, s.routes(), s.encryption());
    }

    private static MeshState removePolicy(MeshState s, Step step) {
        if (s.policies().isEmpty()) return s;
        return s.toBuilder()
                .removePolicy(s.policies()
                        .get(Math.floorMod(step.pick(), s.policies().size()))
                        .key())
                .build();
    }

    /** Always changes something, so every state has at least one change to make. */
    private static MeshState encryption(MeshState s, Step step) {
        EncryptionSpec.Mode[] modes = EncryptionSpec.Mode.values();
        EncryptionSpec now = s.encryption();
        EncryptionSpec.Mode mode = modes[Math.floorMod(step.value(), modes.length)];
        EncryptionSpec.Enforcement enforcement = mode != now.mode()
                ? now.enforcement()
                : now.strict() ? EncryptionSpec.Enforcement.PERMISSIVE : EncryptionSpec.Enforcement.STRICT;
        return s.toBuilder()
                .encryption(new EncryptionSpec(mode, enforcement, now.trustDomain()))
                .build();
    }

    /** Applies {@code change} to a mutable copy of the endpoints of a service that lists some. */
    private static MeshState withListedEndpoints(
            MeshState s, Step step, java.util.function.BiConsumer<Service, List<Endpoint>> change) {
        List<Service> listed =
                s.services().stream().filter(v -> !v.endpoints().isEmpty()).toList();
        if (listed.isEmpty()) return s;
        Service v = listed.get(Math.floorMod(step.pick(), listed.size()));
        List<Endpoint> endpoints = new ArrayList<>(v.endpoints());
        change.accept(v, endpoints);
        return s.withService(v.key(), x -> x.withEndpoints(endpoints));
    }
}
