package io.nodemesh.examples.calibrate;

/** What a path row of a repeated calibration says about the simulator's prediction. */
sealed interface PathVerdict {
    /** The median error is within the tolerance and the rounds agree closely enough to say so. */
    record Within(double medianErrorPercent) implements PathVerdict {}

    /** The median error is outside the tolerance and the rounds agree closely enough to say so. */
    record Outside(double medianErrorPercent) implements PathVerdict {}

    /** No verdict: the rounds disagree too much (or are too few), so the host, not the model, would decide it. */
    record Withheld(String reason) implements PathVerdict {}

    /** The path could not be built here (e.g. no eBPF backend), so there is nothing to judge. */
    record NotMeasured(String reason) implements PathVerdict {}
}
