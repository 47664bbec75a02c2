package io.nodemesh.config;

import io.nodemesh.api.state.MeshState;
import java.util.List;

/** The outcome of reading and validating a state file: a valid state, or every problem found. */
public sealed interface CheckedState {
    /** The file parsed and its state has no violations. */
    record Valid(MeshState state) implements CheckedState {}

    /** The file did not parse (one problem), or parsed into a state with violations (all of them). */
    record Invalid(List<StateFileProblem> problems) implements CheckedState {
        public Invalid {
            problems = List.copyOf(problems);
        }
    }

    default boolean isValid() {
        return this instanceof Valid;
    }
}
