package io.nodemesh.planner;

/** Told how far a plan is; a CLI draws a progress bar with it. Called from the planning thread. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, what) -> {};

    /**
     * @param done  simulated requests so far
     * @param total simulated requests in the whole plan
     * @param what  what is running, e.g. {@code sidecar+mtls @ 10000 rps}
     */
    void progress(long done, long total, String what);
}
