package io.nodemesh.planner;

import java.io.Serial;
import java.util.List;

/**
 * Bad planner input: an impossible cluster, an unknown model, a parameter file with missing or negative values.
 * {@link #problems()} lists every problem found, each naming the field; nothing was run.
 */
public final class PlanInputException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Also in the message, which is what survives serialization. */
    private final transient List<String> problems;

    public PlanInputException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public PlanInputException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems == null ? List.of(getMessage()) : problems;
    }
}
