package io.nodemesh.contract.gen;

import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of {@link MeshState}s, for property and differential tests of every backend.
 * <p>
 * A generated state always validates clean: nodes have disjoint pod CIDRs (some dual-stack, some with WireGuard keys);
 * workloads have addresses inside their node's CIDR, SPIFFE identities (replicas share one) and labels; services have
 * distinct VIPs in {@code 10.96.0.0/16}, distinct ports, and either a label selector or explicit endpoints (ready, not
 * ready, terminating, and addresses outside the mesh); policies name existing identities, {@code host}, {@code *} and
 * existing services; L7 services get HTTP routes with weighted backends, timeouts and retries.
 * States are small by default ({@link Sizes#SMALL}); pass a {@link Sizes} for bigger ones.
 */
public final class MeshStates {
    private MeshStates() {}

    /** Valid states of {@link Sizes#SMALL}. */
    public static Arbitrary<MeshState> validStates() {
        return validStates(Sizes.SMALL);
    }

    /** Valid states within {@code sizes}. */
    public static Arbitrary<MeshState> validStates(Sizes sizes) {
        return Combinators.combine(
                        node(sizes).list().ofMinSize(1).ofMaxSize(sizes.maxNodes()),
                        service().list().ofMaxSize(sizes.maxServices()),
                        policy().list().ofMaxSize(sizes.maxPolicies()),
                        route().list().ofMaxSize(sizes.maxRoutes()),
                        encryption())
                .as(StatePlan::new)
                .map(StateBuilder::build);
    }

    /**
     * Valid states each broken in one place: a field of one object set to something the rules forbid (a bad address,
     * a port out of range, a reference to nothing, a duplicate, an invalid regex…). {@link Corruption#path()} is the
     * violation path {@link MeshState#validate()} must report.
     */
    public static Arbitrary<Corruption> corruptedStates() {
        return corruptedStates(Sizes.SMALL);
    }

    public static Arbitrary<Corruption> corruptedStates(Sizes sizes) {
        // No edge cases for the choice of kind: they would pile onto the first kinds.
        return Combinators.combine(
                        validStates(sizes),
                        Arbitraries.integers().between(0, 10_000).withoutEdgeCases(),
                        Arbitraries.integers().between(0, 1_000))
                .as(Corruptions::corrupt);
    }

    /**
     * Sequences of valid states as a running mesh goes through them: a valid start, then up to {@code maxSteps} changes
     * (endpoints turning not-ready, terminating or going away, workloads leaving, load balancing, affinity, route
     * weights, policies flipped or dropped, encryption). Every state is valid and differs from the one before it.
     * For differential tests that apply each state in turn to two backends and compare where connections go.
     */
    public static Arbitrary<List<MeshState>> evolutions(Sizes sizes, int maxSteps) {
        Arbitrary<StateMutations.Step> step = Combinators.combine(
                        Arbitraries.integers()
                                .between(0, StateMutations.KIND_COUNT - 1)
                                .withoutEdgeCases(),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.integers().between(0, 1000))
                .as(StateMutations.Step::new);
        return Combinators.combine(validStates(sizes), step.list().ofMinSize(1).ofMaxSize(maxSteps))
                .as(StateMutations::evolve);
    }

    /** Evolutions of {@link Sizes#SMALL} states over up to 5 steps. */
    public static Arbitrary<List<MeshState>> evolutions() {
        return evolutions(Sizes.SMALL, 5);
    }

    /** The names of the ways {@link #corruptedStates()} breaks states, e.g. {@code service.port.outOfRange}. */
    public static List<String> corruptionKinds() {
        return Corruptions.names();
    }

    /**
     * Breaks {@code state} the way named {@code kind} (one of {@link #corruptionKinds()}), on the object {@code pick}
     * selects; empty when the state has nothing that kind can break (no routes, a single node).
     */
    public static Optional<Corruption> corrupt(MeshState state, String kind, int pick) {
        return Corruptions.corrupt(state, kind, pick);
    }

    private static Arbitrary<StatePlan.NodePlan> node(Sizes sizes) {
        return Combinators.combine(
                        Arbitraries.integers().between(16, 24),
                        Arbitraries.bytes().array(byte[].class).ofSize(32).injectNull(0.5),
                        Arbitraries.of(false, true),
                        workload().list().ofMaxSize(sizes.maxWorkloadsPerNode()))
                .as(StatePlan.NodePlan::new);
    }

    private static Arbitrary<StatePlan.WorkloadPlan> workload() {
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 9);
        return Combinators.combine(
                        small,
                        small,
                        small,
                        Arbitraries.of(false, true),
                        Arbitraries.of(false, true),
                        Arbitraries.of(false, true))
                .as(StatePlan.WorkloadPlan::new);
    }

    private static Arbitrary<StatePlan.PortPlan> port() {
        Arbitrary<Integer> ports = Arbitraries.oneOf(
                Arbitraries.of(80, 443, 53, 8080, 9090), Arbitraries.integers().between(1, 65535));
        return Combinators.combine(ports, ports, Arbitraries.of(Protocol.class), Arbitraries.of(AppProtocol.class))
                .as(StatePlan.PortPlan::new);
    }

    private static Arbitrary<StatePlan.ServicePlan> service() {
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 9);
        Arbitrary<Boolean> flag = Arbitraries.of(false, true);
        // Combinators takes at most eight arbitraries: the four yes/no choices travel as one tuple.
        Arbitrary<Tuple.Tuple4<Boolean, Boolean, Boolean, Boolean>> flags =
                Combinators.combine(flag, flag, flag, flag).as(Tuple::of);
        return Combinators.combine(
                        small,
                        small,
                        port().list().ofMinSize(1).ofMaxSize(3),
                        Arbitraries.integers().between(0, 1000).list().ofMaxSize(4),
                        Arbitraries.of(EndpointState.class).list().ofMinSize(1).ofMaxSize(4),
                        Arbitraries.of(LoadBalancing.class),
                        Arbitraries.oneOf(
                                Arbitraries.just(0), Arbitraries.integers().between(1, 86_400)),
                        flags)
                .as((namespace, app, ports, picks, states, lb, affinity, f) -> new StatePlan.ServicePlan(
                        namespace, app, ports, f.get1(), picks, states, f.get2(), lb, affinity, f.get3(), f.get4()));
    }

    private static Arbitrary<StatePlan.PolicyPlan> policy() {
        Arbitrary<List<Integer>> picks =
                Arbitraries.integers().between(0, 1000).list().ofMaxSize(3);
        return Combinators.combine(
                        Arbitraries.integers().between(0, 9),
                        Arbitraries.of(PolicyAction.class),
                        picks,
                        picks,
                        picks.map(l -> l.subList(0, Math.min(1, l.size()))),
                        Arbitraries.integers().between(1, 65535).list().ofMaxSize(2),
                        Arbitraries.integers()
                                .between(0, StateBuilder.MATCHES.size() - 1)
                                .list()
                                .ofMaxSize(2))
                .as(StatePlan.PolicyPlan::new);
    }

    private static Arbitrary<StatePlan.RoutePlan> route() {
        Arbitrary<StatePlan.BackendPlan> backend = Combinators.combine(
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.integers().between(0, 100),
                        Arbitraries.of(false, true))
                .as(StatePlan.BackendPlan::new);
        Arbitrary<Integer> millis = Arbitraries.oneOf(
                Arbitraries.just(0),
                Arbitraries.of(250, 1000, 30_000, 120_000),
                Arbitraries.integers().between(1, 600_000));
        Arbitrary<StatePlan.RulePlan> rule = Combinators.combine(
                        Arbitraries.integers()
                                .between(0, StateBuilder.MATCHES.size() - 1)
                                .list()
                                .ofMaxSize(2),
                        backend.list().ofMinSize(1).ofMaxSize(3),
                        millis,
                        Arbitraries.integers().between(0, 5),
                        millis,
                        Arbitraries.of("5xx", "connect-failure", "reset")
                                .list()
                                .uniqueElements()
                                .ofMaxSize(2),
                        // Mostly no fault (index 0), sometimes one of StateBuilder.FAULTS.
                        Arbitraries.frequencyOf(
                                Tuple.of(4, Arbitraries.just(0)),
                                Tuple.of(1, Arbitraries.integers().between(1, StateBuilder.FAULTS.size() - 1))))
                .as(StatePlan.RulePlan::new);
        return rule.list().ofMinSize(1).ofMaxSize(2).map(StatePlan.RoutePlan::new);
    }

    private static Arbitrary<StatePlan.EncryptionPlan> encryption() {
        return Combinators.combine(
                        Arbitraries.of(EncryptionSpec.Mode.class),
                        Arbitraries.of(false, true),
                        Arbitraries.integers().between(0, 1))
                .as(StatePlan.EncryptionPlan::new);
    }
}
