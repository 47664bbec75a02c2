package io.nodemesh.examples.calibrate;

import io.nodemesh.planner.calibration.CalibrationResult;

/**
 * One round of a calibration: the hop runs (A), then the path runs (B) of one {@code Calibrator.run}. The command's
 * round measures the real kernel; tests supply rounds with injected numbers.
 */
@FunctionalInterface
interface CalibrationRound {
    CalibrationResult run();
}
