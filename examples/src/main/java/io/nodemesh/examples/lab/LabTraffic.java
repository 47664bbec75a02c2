package io.nodemesh.examples.lab;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.examples.demo.DemoStates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The lab's traffic, seeded like the demo's: each connection comes from a random pod (one in twenty from a host
 * process instead) to a random service's VIP — TCP echo, UDP echo or HTTP, in turn — and makes a few timed round
 * trips. Every connection is also asked of the simulator with the same state, and both answers are kept side by side.
 * L7 services are left out unless an Envoy runs (they would be steered into a node proxy that is not there).
 */
final class LabTraffic {
    /** One connection planned: who, to which service, what kind. */
    record Planned(From from, Service service, PodCommand.Kind kind) {
        int port() {
            return switch (kind) {
                case tcp -> DemoStates.servicePort();
                case udp -> PodServers.UDP_PORT;
                case http -> PodServers.HTTP_PORT;
            };
        }

        String vip() {
            return service.vips().getFirst();
        }
    }

    /**
     * One connection done.
     *
     * @param planned      what was asked
     * @param outcome      what the kernel did
     * @param predicted    what the simulator says
     * @param path         the lab path it took (from the backend that answered, or the failure)
     * @param verdictAgrees the simulator's verdict is the one seen
     * @param deterministic the service has one backend, so the backend (and with it the path) can be compared
     * @param exactAgrees  verdict, backend and path all as the simulator says (only counted when deterministic)
     * @param modelUs      the planner's one-way latency for the path the connection took
     */
    record Done(
            Planned planned,
            Outcome outcome,
            SimPrediction.Predicted predicted,
            LabPath path,
            boolean verdictAgrees,
            boolean deterministic,
            boolean exactAgrees,
            double modelUs) {}

    /**
     * The traffic and its floor: each connection was followed at once by the same exchange with its node's {@link
     * LabFloor}, so host noise falls on both alike.
     *
     * @param done           the connections
     * @param floorOneWayNs  per kind, every floor round trip halved, sorted
     */
    record Run(List<Done> done, Map<PodCommand.Kind, long[]> floorOneWayNs) {}

    private static final int WARM_UP = 20;

    private LabTraffic() {}

    static List<Planned> plan(Lab lab, long seed, int connections) {
        MeshState state = lab.state();
        List<Service> targets = state.services().stream()
                .filter(s -> !s.l7() || lab.envoy().isPresent())
                .toList();
        List<LabPod> pods = lab.pods();
        SplittableRandom random = new SplittableRandom(seed);
        PodCommand.Kind[] kinds = {PodCommand.Kind.tcp, PodCommand.Kind.tcp, PodCommand.Kind.udp, PodCommand.Kind.http};
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < connections && !targets.isEmpty(); i++) {
            From from = random.nextInt(20) == 0
                    ? From.host(lab.nodes().get(random.nextInt(lab.nodes().size())))
                    : From.pod(pods.get(random.nextInt(pods.size())));
            plan.add(new Planned(from, targets.get(random.nextInt(targets.size())), kinds[i % kinds.length]));
        }
        return plan;
    }

    static Run run(Lab lab, long seed, List<Planned> plan, int messages, int bytes, ModelLatency model) {
        List<Done> done = new ArrayList<>();
        Map<PodCommand.Kind, List<long[]>> floors = new EnumMap<>(PodCommand.Kind.class);
        // Warm-up, not recorded: the pod JVMs' first round trips run interpreted code.
        for (Planned p : plan.subList(0, Math.min(plan.size(), WARM_UP)))
            Outcome.of(lab, p.kind(), p.from(), p.vip(), p.port(), messages, bytes);
        try (SimPrediction sim = new SimPrediction(lab.state(), seed)) {
            for (Planned p : plan) {
                String node = p.from().node().name();
                SimPrediction.Predicted predicted = p.kind() == PodCommand.Kind.udp
                        ? sim.udp(p.from().workload(), node, p.vip(), p.port(), bytes)
                        : sim.tcp(p.from().workload(), node, p.vip(), p.port());
                Outcome o = Outcome.of(lab, p.kind(), p.from(), p.vip(), p.port(), messages, bytes);
                done.add(judge(lab, p, o, predicted, model, bytes));
                From floor = LabFloor.from(p.from().node());
                if (Outcome.of(lab, p.kind(), floor, LabFloor.ADDRESS, LabFloor.port(p.kind()), messages, bytes)
                        instanceof Outcome.Reached(PodClient.Result r))
                    floors.computeIfAbsent(p.kind(), k -> new ArrayList<>()).add(r.rttNanos());
            }
        }
        Map<PodCommand.Kind, long[]> floorOneWay = new EnumMap<>(PodCommand.Kind.class);
        floors.forEach((kind, rtts) -> floorOneWay.put(
                kind,
                rtts.stream()
                        .flatMapToLong(Arrays::stream)
                        .map(n -> n / 2)
                        .sorted()
                        .toArray()));
        return new Run(done, floorOneWay);
    }

    private static Done judge(
            Lab lab, Planned p, Outcome o, SimPrediction.Predicted predicted, ModelLatency model, int bytes) {
        List<String> backends = LabState.backends(lab.state(), p.service().key());
        boolean deterministic = backends.size() == 1;
        return switch (o) {
            case Outcome.Failed f -> {
                boolean agrees = predicted.verdict() == Verdict.DROPPED_POLICY;
                yield new Done(
                        p,
                        o,
                        predicted,
                        agrees ? LabPath.POLICY_DENIED : LabPath.FAILED,
                        agrees,
                        deterministic,
                        agrees,
                        0);
            }
            case Outcome.Reached(PodClient.Result r) -> {
                LabPod backend = lab.pods().stream()
                        .filter(x -> x.name().equals(r.backend()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("unknown backend " + r.backend()));
                boolean cross = backend.node() != p.from().node();
                LabPath path = p.from().isHost() ? LabPath.HOST_TO_POD : cross ? LabPath.CROSS_NODE : LabPath.SAME_NODE;
                FlowPath seen = cross
                        ? FlowPath.ENCRYPTED_TUNNEL
                        : p.kind() == PodCommand.Kind.udp ? FlowPath.KERNEL_STACK : FlowPath.SOCKET_REDIRECT;
                boolean verdict = predicted.verdict() == Verdict.FORWARDED;
                boolean exact = verdict
                        && predicted.backend().equals(backend.workload())
                        && (p.from().isHost() || predicted.path() == seen);
                yield new Done(
                        p,
                        o,
                        predicted,
                        path,
                        verdict,
                        deterministic,
                        exact,
                        model.oneWayUs(p.from().isHost() ? predicted.path() : seen, cross, bytes));
            }
        };
    }
}
