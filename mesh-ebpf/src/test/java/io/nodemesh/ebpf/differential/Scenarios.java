package io.nodemesh.ebpf.differential;

import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.ebpf.differential.Scenario.AttemptShape;
import io.nodemesh.ebpf.differential.Scenario.PodTraits;
import io.nodemesh.ebpf.differential.Scenario.PolicyShape;
import io.nodemesh.ebpf.differential.Scenario.ServiceShape;
import java.util.HashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for {@link Scenario}: small meshes (the pods of {@link MeshPods}, 1–3 services, 0–3 policies, deny
 * and default-deny allow and host sources included) and 20 attempts (TCP, a third UDP) from local pods and the host.
 * <p>
 * Services use any load balancing, with or without session affinity: both backends key a client the same way
 * ({@link io.nodemesh.api.lb.SocketLbKey}), so Maglev and sticky choices are compared exactly (see {@link SimOracle}),
 * and any {@link Locality}: the closest endpoints are computed once for both ({@link io.nodemesh.api.lb.ClosestEndpoints}).
 */
final class Scenarios {
    static final int ATTEMPTS = 20;

    private Scenarios() {}

    static Arbitrary<Scenario> scenarios() {
        return Combinators.combine(
                        pod().list().ofSize(MeshPods.ALL),
                        service().list().ofMinSize(1).ofMaxSize(3),
                        policy().list().ofMaxSize(3),
                        attempt().list().ofSize(ATTEMPTS))
                .as(Scenario::new);
    }

    private static Arbitrary<PodTraits> pod() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, ScenarioState.IDENTITIES.size() - 1),
                        Arbitraries.of("x", "y"))
                .as(PodTraits::new);
    }

    private static Arbitrary<ServiceShape> service() {
        Arbitrary<List<Integer>> endpoints = Arbitraries.integers()
                .between(0, MeshPods.ALL - 1)
                .list()
                .ofMaxSize(3)
                .uniqueElements();
        return Combinators.combine(
                        Arbitraries.of(true, false),
                        Arbitraries.of("x", "y"),
                        endpoints,
                        Arbitraries.integers().between(0, 2).set().ofMaxSize(2),
                        // Combinators takes at most eight arbitraries: load balancing and locality travel as a pair.
                        Combinators.combine(Arbitraries.of(LoadBalancing.class), Arbitraries.of(Locality.class))
                                .as(net.jqwik.api.Tuple::of),
                        Arbitraries.of(80, 81),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false))
                .as((sel, app, eps, term, lbAndLocality, port, v6, affinity) -> new ServiceShape(
                        sel,
                        app,
                        eps,
                        new HashSet<>(term.stream()
                                .filter(i -> i < eps.size())
                                .map(eps::get)
                                .toList()),
                        lbAndLocality.get1(),
                        port,
                        v6,
                        affinity,
                        lbAndLocality.get2()));
    }

    private static Arbitrary<PolicyShape> policy() {
        int ids = ScenarioState.IDENTITIES.size();
        return Combinators.combine(
                        Arbitraries.of(PolicyAction.class),
                        Arbitraries.integers()
                                .between(0, ScenarioState.ANY_SOURCE)
                                .list()
                                .ofMaxSize(2)
                                .uniqueElements(),
                        Arbitraries.integers()
                                .between(0, ids - 1)
                                .list()
                                .ofMaxSize(2)
                                .uniqueElements(),
                        Arbitraries.integers().between(0, 2).list().ofMaxSize(1),
                        Arbitraries.of(8080, 9090).list().ofMaxSize(1))
                .as(PolicyShape::new);
    }

    private static Arbitrary<AttemptShape> attempt() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, MeshPods.LOCAL),
                        Arbitraries.of(true, true, false),
                        Arbitraries.integers().between(0, MeshPods.ALL - 1),
                        Arbitraries.of(true, false),
                        Arbitraries.of(8080, 9090),
                        Arbitraries.of(false, false, true),
                        Arbitraries.of(true, false))
                .as(AttemptShape::new);
    }
}
