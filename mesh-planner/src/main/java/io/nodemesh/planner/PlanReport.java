package io.nodemesh.planner;

import java.util.List;

/**
 * The planner's answer: footprints per model and, per model and load, the simulated latencies.
 *
 * @param request     what was asked
 * @param parameters  the parameters used
 * @param footprints  one per model, in the request's order
 * @param loads       one per model and load
 * @param wallSeconds real time the plan took
 */
public record PlanReport(
        PlanRequest request,
        PlannerParameters parameters,
        List<Footprint> footprints,
        List<LoadPoint> loads,
        double wallSeconds) {
    public PlanReport {
        footprints = List.copyOf(footprints);
        loads = List.copyOf(loads);
    }
}
