package io.nodemesh.examples.embedding;

import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Violation;
import io.nodemesh.config.CheckedState;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.config.StateFileProblem;
import io.nodemesh.sim.SimSettings;
import io.nodemesh.sim.SimulatedDataplane;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows: reading a state file with {@code mesh-config} and handling bad input at both gates.
 * <ol>
 *   <li>{@code MeshStateFiles.check(file)}: a file that does not parse, or parses into a state breaking the general
 *       rules, comes back as {@code CheckedState.Invalid} with every problem — file, line, column, path, reason;</li>
 *   <li>{@code dataplane.apply(state)}: a state can pass the general rules and still exceed what one backend can do
 *       (here the simulator's Maglev table size); apply throws {@code InvalidStateException} naming each violation, and
 *       the state applied before keeps serving.</li>
 * </ol>
 * With a path argument it checks and applies that file; without one it writes a good and a bad file to a temporary
 * directory and walks through both.
 * <p>
 * Run: {@code java -cp <examples + deps> io.nodemesh.examples.embedding.StateFileExample [state.yaml]}
 */
public final class StateFileExample {
    private StateFileExample() {}

    /** What a run saw. */
    public record Outcome(
            List<StateFileProblem> fileProblems, List<Violation> applyViolations, boolean previousStateKept) {
        Outcome withFileProblems(List<StateFileProblem> problems) {
            return new Outcome(List.copyOf(problems), applyViolations, previousStateKept);
        }
    }

    /** A file with two mistakes: a port out of range (line 9) and a workload on a node that does not exist (line 15). */
    static final String BAD_YAML = """
            nodes:
              - {name: node-a, addresses: [192.168.0.1], podCidrs: [10.1.0.0/24]}
            services:
              - namespace: shop
                name: web
                vips: [10.96.0.10]
                ports:
                  - port: 80
                  - port: 70000
                selector: {app: web}
            workloads:
              - namespace: shop
                name: web-1
                ips: [10.1.0.10]
                node: node-z
                identity: spiffe://cluster.local/ns/shop/sa/web
                labels: {app: web}
            """;

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            checkAndApply(Path.of(args[0]), System.out);
            return;
        }
        run(System.out);
    }

    public static Outcome run(PrintStream out) {
        try {
            Path dir = Files.createTempDirectory("nodemesh-example");
            try {
                Path good = dir.resolve("mesh.yaml");
                MeshStateFiles.write(ExampleMesh.builder().build(), good);
                Path bad = dir.resolve("bad.yaml");
                Files.writeString(bad, BAD_YAML);

                List<StateFileProblem> problems = new ArrayList<>();
                if (MeshStateFiles.check(bad) instanceof CheckedState.Invalid(List<StateFileProblem> found)) {
                    out.println(bad.getFileName() + " is invalid:");
                    found.forEach(p -> out.println("  " + p));
                    problems.addAll(found);
                }
                return checkAndApply(good, out).withFileProblems(problems);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks {@code file}; if it is valid, applies it to a simulator whose Maglev tables have only 5 slots, then
     * applies the same state plus a Maglev service over every workload, more backends than slots, which it refuses.
     */
    static Outcome checkAndApply(Path file, PrintStream out) throws IOException {
        MeshState state;
        switch (MeshStateFiles.check(file)) {
            case CheckedState.Invalid(List<StateFileProblem> problems) -> {
                out.println(file + " is invalid:");
                problems.forEach(p -> out.println("  " + p));
                return new Outcome(problems, List.of(), false);
            }
            case CheckedState.Valid(MeshState valid) -> state = valid;
        }
        out.println(file.getFileName() + " is valid: " + state.services().size() + " services, "
                + state.workloads().size() + " workloads");
        try (MeshDataplane sim = new SimulatedDataplane(new SimSettings(1, 5, null))) {
            sim.apply(state);
            // Fine by the general rules, too big for this simulator's tables (when there are more than 5 workloads).
            List<Endpoint> everyone = state.workloads().stream()
                    .map(w -> Endpoint.ready(w.ips().getFirst(), w.key()))
                    .toList();
            MeshState maglev = state.toBuilder()
                    .service(Service.builder("example", "everyone")
                            .vip("10.96.255.254")
                            .tcp(80, 80)
                            .endpoints(everyone)
                            .loadBalancing(LoadBalancing.MAGLEV)
                            .build())
                    .build();
            List<Violation> violations = List.of();
            try {
                sim.apply(maglev);
            } catch (InvalidStateException e) {
                violations = e.violations();
                out.println("the simulator refused the Maglev variant:");
                violations.forEach(v -> out.println("  " + v.path() + ": " + v.reason()));
            }
            boolean kept = sim.state().equals(state);
            out.println("the state applied before keeps serving: " + kept);
            return new Outcome(List.of(), violations, kept);
        }
    }
}
