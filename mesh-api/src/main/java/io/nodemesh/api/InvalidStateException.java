package io.nodemesh.api;

import io.nodemesh.api.state.Violation;
import java.util.List;
import java.util.stream.Collectors;

/** A state was rejected before anything was programmed: it has {@link #violations()}. */
public final class InvalidStateException extends DataplaneException {
    private final List<Violation> violations;

    public InvalidStateException(List<Violation> violations) {
        super(message(violations));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    private static String message(List<Violation> violations) {
        return "invalid mesh state (" + violations.size() + (violations.size() == 1 ? " violation" : " violations")
                + "):" + violations.stream().map(v -> "\n  " + v).collect(Collectors.joining());
    }
}
