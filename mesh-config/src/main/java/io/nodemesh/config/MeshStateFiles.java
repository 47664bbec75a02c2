package io.nodemesh.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.config.internal.ParseProblems;
import io.nodemesh.config.internal.StateMappers;
import io.nodemesh.config.internal.ViolationLocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole {@link MeshState} as one YAML or JSON file: the document has top-level {@code nodes}, {@code workloads},
 * {@code services}, {@code policies}, {@code routes} and {@code encryption}, and every object maps field for field onto
 * its record. Reading is strict (unknown fields, repeated keys and wrong types are errors, never ignored); enums are
 * case-insensitive; durations are written {@code 30s}, {@code 250ms}, {@code 2m} (ISO-8601 {@code PT30S} is accepted);
 * an absent list is empty.
 * <p>
 * Every problem names the file, the line and column, the path inside the document and the reason.
 */
public final class MeshStateFiles {
    private MeshStateFiles() {}

    /**
     * Parses a state file without validating the state.
     *
     * @throws IOException         the file cannot be read
     * @throws StateFileException  malformed YAML/JSON, an unknown field, a value of the wrong type
     */
    public static MeshState read(Path file) throws IOException, StateFileException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        return parse(file.toString(), content, StateFormat.of(file, content));
    }

    /** Parses a document; {@code fileName} only labels problems. */
    public static MeshState parse(String fileName, String content, StateFormat format) throws StateFileException {
        ObjectMapper mapper = mapper(format);
        try (JsonParser parser = mapper.createParser(content)) {
            if (parser.nextToken() == null) throw empty(fileName);
            MeshState state = mapper.readValue(parser, MeshState.class);
            if (state == null) throw empty(fileName);
            return state;
        } catch (JsonProcessingException e) {
            StateFileProblem problem = ParseProblems.of(fileName, e);
            // Jackson reports where the parser stood, often past the offending value (the next line, for block YAML);
            // a document that is well-formed knows exactly where each path starts.
            // (Not for a syntax error wrapped on its way up, such as a repeated key: there the parser's place is the
            // right one.)
            if (e instanceof JsonMappingException
                    && !(e.getCause() instanceof StreamReadException)
                    && !problem.path().isEmpty()) {
                ViolationLocator.Position at =
                        ViolationLocator.of(mapper, content).locate(problem.path());
                if (at.line() > 0)
                    problem = new StateFileProblem(fileName, at.line(), at.column(), problem.path(), problem.reason());
            }
            throw new StateFileException(List.of(problem));
        } catch (IOException e) {
            throw new UncheckedIOException("reading from a string cannot fail", e);
        }
    }

    /**
     * Parses and validates a state file: a valid state, or every problem (one for a file that does not parse, every
     * violation for one that does).
     *
     * @throws IOException the file cannot be read
     */
    public static CheckedState check(Path file) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        return check(file.toString(), content, StateFormat.of(file, content));
    }

    /** Parses and validates a document; {@code fileName} only labels problems. */
    public static CheckedState check(String fileName, String content, StateFormat format) {
        MeshState state;
        try {
            state = parse(fileName, content, format);
        } catch (StateFileException e) {
            return new CheckedState.Invalid(e.problems());
        }
        List<Violation> violations = state.validate();
        if (violations.isEmpty()) return new CheckedState.Valid(state);
        ViolationLocator locator = ViolationLocator.of(mapper(format), content);
        List<StateFileProblem> problems = new ArrayList<>();
        for (Violation v : violations) {
            ViolationLocator.Position at = locator.locate(state, v.path());
            problems.add(new StateFileProblem(fileName, at.line(), at.column(), v.path(), v.reason()));
        }
        return new CheckedState.Invalid(problems);
    }

    /**
     * Parses and validates a state file, for callers that want the state or an exception.
     *
     * @throws IOException        the file cannot be read
     * @throws StateFileException with every problem found
     */
    public static MeshState readValid(Path file) throws IOException, StateFileException {
        return switch (check(file)) {
            case CheckedState.Valid v -> v.state();
            case CheckedState.Invalid i -> throw new StateFileException(i.problems());
        };
    }

    /** The state as a document that {@link #parse} reads back equal. */
    public static String write(MeshState state, StateFormat format) {
        try {
            return mapper(format).writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a MeshState always serializes", e);
        }
    }

    /** Writes the state to {@code file}, as JSON if it ends in {@code .json}, else YAML. */
    public static void write(MeshState state, Path file) throws IOException {
        Files.writeString(file, write(state, StateFormat.forWriting(file)), StandardCharsets.UTF_8);
    }

    private static ObjectMapper mapper(StateFormat format) {
        return format == StateFormat.JSON ? StateMappers.JSON : StateMappers.YAML;
    }

    private static StateFileException empty(String fileName) {
        return new StateFileException(List.of(
                new StateFileProblem(fileName, 0, 0, "", "the document is empty (an empty mesh is written {})")));
    }
}
