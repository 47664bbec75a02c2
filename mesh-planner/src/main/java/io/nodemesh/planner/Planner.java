package io.nodemesh.planner;

import io.nodemesh.api.state.Locality;
import io.nodemesh.planner.internal.Footprints;
import io.nodemesh.planner.internal.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * The capacity planner: for each model, counts proxies and memory per node, then simulates each offered load.
 * <pre>{@code
 * PlanReport r = new Planner(ParameterFile.defaults()).plan(request, ProgressListener.NONE);
 * }</pre>
 * Bad input is rejected whole, before anything runs, with a {@link PlanInputException} naming every bad field.
 */
public final class Planner {
    private final PlannerParameters parameters;

    public Planner(PlannerParameters parameters) {
        this.parameters = parameters;
    }

    public PlannerParameters parameters() {
        return parameters;
    }

    /** Footprints only (no simulation). */
    public List<Footprint> footprints(ClusterShape shape, List<Model> models) {
        List<String> problems = shape.problems();
        if (!problems.isEmpty()) throw new PlanInputException(problems);
        return models.stream().map(m -> Footprints.of(shape, m, parameters)).toList();
    }

    public PlanReport plan(PlanRequest request, ProgressListener progress) {
        List<String> problems = request.problems();
        if (!problems.isEmpty()) throw new PlanInputException(problems);
        long began = System.nanoTime();
        List<Footprint> footprints = footprints(request.shape(), request.models());
        List<LoadPoint> loads = new ArrayList<>();
        long total = request.requestsPerLoad()
                * request.models().size()
                * request.rps().size();
        long done = 0;
        for (Model model : request.models()) {
            for (double rps : request.rps()) {
                Simulation sim = new Simulation(
                        request.shape(),
                        model,
                        parameters,
                        request.messageBytes(),
                        request.traffic(),
                        request.locality());
                String label = model.name() + " @ " + Math.round(rps) + " rps";
                loads.add(sim.run(rps, request.requestsPerLoad(), request.seed(), progress, done, total, label));
                done += request.requestsPerLoad();
            }
        }
        return new PlanReport(request, parameters, footprints, loads, (System.nanoTime() - began) / 1e9);
    }

    /**
     * Unloaded round trip (no queueing, mean service times) of one request under {@code model}, in microseconds.
     *
     * @param crossNode whether client and server are on different nodes
     * @param l7        whether the service needs L7
     */
    public double unloadedRoundTripUs(Model model, int messageBytes, boolean crossNode, boolean l7) {
        return new Simulation(
                        ClusterShape.of(2, 2, 1), model, parameters, messageBytes, TrafficPattern.PAIR, Locality.ANY)
                .unloadedRoundTripUs(crossNode, l7);
    }
}
