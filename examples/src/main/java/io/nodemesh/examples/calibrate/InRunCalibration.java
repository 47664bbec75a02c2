package io.nodemesh.examples.calibrate;

import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.calibration.CalibrationOptions;
import io.nodemesh.planner.calibration.CalibrationResult;
import io.nodemesh.planner.calibration.Calibrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;

/**
 * A calibration for another command's own run ({@code nodemesh lab --calibrate}): the hops measured on this machine
 * under the load that run puts on it, so its prediction and its measurement share one host state. Three interleaved
 * rounds of one second per sockperf run at the caller's message size (slopes from {@code base}); the parameters are
 * the rounds' medians, as {@code nodemesh calibrate} writes them.
 */
public final class InRunCalibration {
    private static final int ROUNDS = 3;

    private InRunCalibration() {}

    /** Measures and fits; throws {@link io.nodemesh.planner.calibration.CalibrationException} naming the failed step. */
    public static PlannerParameters run(PlannerParameters base, int bytes, Consumer<String> log) {
        CalibrationOptions options;
        try {
            options = new CalibrationOptions(
                    "nmp" + ProcessHandle.current().pid(),
                    1,
                    0,
                    Math.max(16, bytes),
                    0,
                    Files.createTempDirectory("nodemesh-calibrate"),
                    log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the calibration's work directory", e);
        }
        List<CalibrationResult> rounds =
                new InterleavedPlan(ROUNDS).run(() -> Calibrator.run(options, base, new EbpfRedirectPath()), log);
        return MedianParameters.of(
                rounds.stream().map(CalibrationResult::parameters).toList());
    }
}
