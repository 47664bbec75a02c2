package io.nodemesh.api.spi;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one apply every backend runs: validate against the previous state → the backend's checks → diff → program with
 * an undo log → commit. An unchanged state is a no-op; an invalid one touches nothing; a failure while programming is
 * undone and the previous state keeps serving. Thread-safe: applies are serialized.
 */
public final class ApplyPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);

    private final String backend;
    private final Programmer programmer;
    private MeshState applied = MeshState.EMPTY;
    private MeshIndex index = MeshIndex.of(MeshState.EMPTY);
    private long generation;

    /** @param backend the backend's name, for messages */
    public ApplyPipeline(String backend, Programmer programmer) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.programmer = Objects.requireNonNull(programmer, "programmer");
    }

    /**
     * Programs {@code next}.
     *
     * @throws InvalidStateException with every violation, general or the backend's; nothing was touched
     * @throws ApplyException        when programming failed; what was done is undone
     */
    public synchronized ApplyResult apply(MeshState next) {
        Objects.requireNonNull(next, "state");
        boolean same = next == applied || next.equals(applied);
        if (same && !programmer.needsProgramming()) return new ApplyResult(generation, List.of());
        List<Violation> violations = next.validate(applied);
        if (!violations.isEmpty()) throw new InvalidStateException(violations);
        List<ApplyResult.Change> changes = same ? List.of() : StateDiff.between(applied, next);
        long nextGeneration = changes.isEmpty() ? generation : generation + 1;
        StateChange change = new StateChange(applied, next, MeshIndex.of(next, index), changes, nextGeneration);
        violations = programmer.check(change);
        if (!violations.isEmpty()) throw new InvalidStateException(violations);
        program(change);
        applied = next;
        index = change.index();
        generation = nextGeneration;
        programmer.committed(change);
        return new ApplyResult(generation, changes);
    }

    private void program(StateChange change) {
        UndoLog undo = new UndoLog();
        try {
            programmer.program(change, undo);
        } catch (Exception e) {
            int steps = undo.size();
            List<RuntimeException> failures = undo.rollBack();
            failures.forEach(f -> LOG.error("{}: {}", backend, f.getMessage()));
            // A part that found the state invalid only while programming (a composed backend's own check) says so as
            // such.
            if (e instanceof InvalidStateException invalid && failures.isEmpty()) throw invalid;
            ApplyException failure = new ApplyException(
                    backend + ": programming failed: " + e.getMessage() + " ("
                            + (failures.isEmpty()
                                    ? "rolled back; the previous state keeps serving"
                                    : failures.size() + " of " + steps + " undo step(s) failed; see the log")
                            + ")",
                    e);
            failures.forEach(failure::addSuppressed);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw failure;
        }
    }

    /** The state last applied ({@link MeshState#EMPTY} before the first apply). */
    public synchronized MeshState state() {
        return applied;
    }

    /** Lookups over {@link #state()}. */
    public synchronized MeshIndex index() {
        return index;
    }

    public synchronized long generation() {
        return generation;
    }
}
