package io.nodemesh.api;

import java.util.List;

/** {@link DataplaneOptions} named a setting no backend declares, or gave one a value it cannot read. */
public final class InvalidOptionsException extends DataplaneException {
    private final List<String> problems;

    public InvalidOptionsException(List<String> problems) {
        super(
                problems.size() == 1
                        ? "invalid dataplane options: " + problems.getFirst()
                        : "invalid dataplane options:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, naming the option. */
    public List<String> problems() {
        return problems;
    }
}
