package io.nodemesh.examples.calibrate;

import io.nodemesh.planner.LinearCost;
import io.nodemesh.planner.NetworkParameters;
import io.nodemesh.planner.PlannerParameters;
import java.util.List;
import java.util.function.Function;

/**
 * The parameters of several calibration rounds folded into one set: each cost the rounds fit (network hops, proxy
 * relays) becomes the median of its fixed part and the median of its slope, so one disturbed round does not end up in
 * the parameter file. Everything the rounds did not fit is the same in every round and is kept from the first.
 */
final class MedianParameters {
    private MedianParameters() {}

    static PlannerParameters of(List<PlannerParameters> rounds) {
        PlannerParameters first = rounds.getFirst();
        if (rounds.size() == 1) return first;
        NetworkParameters net = new NetworkParameters(
                median(rounds, p -> p.network().loopback()),
                median(rounds, p -> p.network().podToPod()),
                median(rounds, p -> p.network().podToNode()),
                median(rounds, p -> p.network().nodeToNode()),
                median(rounds, p -> p.network().socketRedirect()),
                median(rounds, p -> p.network().wireguard()));
        return first.withNetwork(net)
                .withProxies(
                        first.sidecar()
                                .withRelay(median(rounds, p -> p.sidecar().relay())),
                        first.nodeProxy()
                                .withRelay(median(rounds, p -> p.nodeProxy().relay())))
                .withDescription(first.description() + "; measured costs are medians of " + rounds.size()
                        + " interleaved rounds");
    }

    private static LinearCost median(List<PlannerParameters> rounds, Function<PlannerParameters, LinearCost> cost) {
        List<LinearCost> costs = rounds.stream().map(cost).toList();
        LinearCost first = costs.getFirst();
        if (costs.stream().allMatch(first::equals)) return first; // not fitted here: taken as it was
        double fixed =
                Quartiles.of(costs.stream().map(LinearCost::fixedUs).toList()).median();
        double slope =
                Quartiles.of(costs.stream().map(LinearCost::perKbUs).toList()).median();
        return new LinearCost(
                Math.round(fixed * 1000) / 1000.0,
                Math.round(slope * 1000) / 1000.0,
                first.source() + "; median of " + costs.size() + " rounds");
    }
}
