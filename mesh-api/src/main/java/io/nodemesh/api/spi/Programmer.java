package io.nodemesh.api.spi;

import io.nodemesh.api.state.Violation;
import java.util.List;

/**
 * What one backend does in the {@link ApplyPipeline}: its own checks, the programming of a change, and what it swaps
 * in once the change is committed. The pipeline owns validation, diffing, rollback and the applied state.
 */
public interface Programmer {
    /**
     * This backend's own violations of a state that passed general validation: capacity limits, unsupported features,
     * requirements of the machine. Must not touch the dataplane.
     */
    default List<Violation> check(StateChange change) {
        return List.of();
    }

    /**
     * Makes {@code change} so. Register the undo of every change made to the dataplane in {@code undo} as soon as it is
     * made; on an exception the pipeline runs them, newest first, and the previous state keeps serving.
     *
     * @throws Exception any failure; the message should name what failed
     */
    void program(StateChange change, UndoLog undo) throws Exception;

    /** Called once {@code change} is the applied state: swap in what derives from it (decoders, caches). Must not fail. */
    default void committed(StateChange change) {}

    /**
     * Whether inputs outside the state changed since the last program (a secret file, maps read back after a restart),
     * so that even an unchanged state must be programmed again.
     */
    default boolean needsProgramming() {
        return false;
    }
}
