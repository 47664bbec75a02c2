package io.nodemesh.examples.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * What a connection loop saw: the backends that answered, in order and run-length encoded, and its failures.
 *
 * @param runs         consecutive connections answered by the same backend
 * @param failures     connections that failed
 * @param firstFailure why the first one failed, or "-"
 */
record LoopReport(List<Run> runs, int failures, String firstFailure) {
    /** {@code count} connections in a row answered by {@code backend}. */
    record Run(String backend, int count) {}

    int connections() {
        return runs.stream().mapToInt(Run::count).sum();
    }

    /** Reads {@link PodClient.Loop#describe()}'s answer. */
    static LoopReport parse(String text) {
        String[] w = text.split(" ", 3);
        List<Run> runs = new ArrayList<>();
        if (!w[0].equals("-")) {
            for (String r : w[0].split(";")) {
                int eq = r.lastIndexOf('=');
                runs.add(new Run(r.substring(0, eq), Integer.parseInt(r.substring(eq + 1))));
            }
        }
        return new LoopReport(List.copyOf(runs), Integer.parseInt(w[1]), w.length > 2 ? w[2] : "-");
    }
}
