package io.nodemesh.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A state file could not be turned into a valid {@code MeshState}: malformed YAML or JSON, a field that does not exist,
 * a value of the wrong type, or violations of the state's rules. {@link #problems()} lists every one found.
 */
public final class StateFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<StateFileProblem> problems;

    public StateFileException(List<StateFileProblem> problems) {
        super(message(problems));
        if (problems.isEmpty()) throw new IllegalArgumentException("a StateFileException needs at least one problem");
        this.problems = List.copyOf(problems);
    }

    public List<StateFileProblem> problems() {
        return problems;
    }

    private static String message(List<StateFileProblem> problems) {
        if (problems.size() == 1) return problems.getFirst().toString();
        return problems.size() + " problems:"
                + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
    }
}
