package io.nodemesh.sim;

/**
 * How a simulated backend process is doing, whatever the state says about its endpoint: set it with
 * {@link SimulatedDataplane#setCondition(String, BackendCondition)} to see health checks and outlier detection act.
 */
public enum BackendCondition {
    /** Accepts connections and answers requests: every backend until told otherwise. */
    UP,
    /** Gone: connections to it fail ({@link io.nodemesh.api.Verdict#BACKEND_FAILED}) and every probe fails. */
    DOWN,
    /** Accepts connections but answers every HTTP request, probes included, with 503. TCP probes pass. */
    SERVER_ERRORS
}
