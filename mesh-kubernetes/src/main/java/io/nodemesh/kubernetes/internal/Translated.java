package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.Violation;
import java.util.List;

/**
 * A custom resource's translation: the value, or the problems that stop it (paths inside the resource, such as
 * {@code spec.rules[0].timeout}). A value with problems is never applied.
 */
record Translated<T>(T value, List<Violation> violations) {
    Translated {
        violations = List.copyOf(violations);
    }

    boolean ok() {
        return violations.isEmpty();
    }
}
