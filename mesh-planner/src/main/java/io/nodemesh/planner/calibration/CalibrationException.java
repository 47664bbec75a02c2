package io.nodemesh.planner.calibration;

import java.io.Serial;

/** A calibration step failed: the message names the step or command and what it printed. */
public final class CalibrationException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public CalibrationException(String message) {
        super(message);
    }

    public CalibrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
