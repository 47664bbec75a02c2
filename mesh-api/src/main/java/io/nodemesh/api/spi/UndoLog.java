package io.nodemesh.api.spi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The undo steps of one apply, run newest first when programming fails. A {@link Programmer} registers a step right
 * after each change it makes to the dataplane, so whatever it did is undone and nothing is left half-applied.
 */
public final class UndoLog {
    private record Step(String what, Runnable undo) {}

    private final Deque<Step> steps = new ArrayDeque<>();

    UndoLog() {}

    /**
     * Registers how to undo a change just made.
     *
     * @param what what the undo restores, for the log when it fails (e.g. "peer node-b")
     */
    public void onFailure(String what, Runnable undo) {
        steps.push(new Step(what, undo));
    }

    int size() {
        return steps.size();
    }

    /** Runs every step, newest first, and returns the failures (each naming its step); later steps still run. */
    List<RuntimeException> rollBack() {
        List<RuntimeException> failures = new ArrayList<>();
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.undo().run();
            } catch (RuntimeException e) {
                failures.add(new IllegalStateException("undoing " + step.what() + " failed: " + e.getMessage(), e));
            }
        }
        return failures;
    }
}
