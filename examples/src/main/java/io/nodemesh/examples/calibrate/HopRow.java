package io.nodemesh.examples.calibrate;

import java.util.List;

/**
 * One hop measured in every round: its per-round one-way p50s and their quartiles.
 *
 * @param name   the hop, e.g. {@code podToPod}
 * @param bytes  message size
 * @param how    the setup, from the first round
 * @param p50Us  the rounds' p50s in round order, µs
 * @param stats  their median and quartiles
 */
record HopRow(String name, int bytes, String how, List<Double> p50Us, Quartiles stats) {
    HopRow {
        p50Us = List.copyOf(p50Us);
    }

    /** The interquartile range as a percentage of the median: the hop's run-to-run noise. */
    double spreadPercent() {
        return stats.iqrPercentOfMedian();
    }
}
