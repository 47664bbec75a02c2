package io.nodemesh.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nodemesh.agent.OutputFormat;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.config.CheckedState;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.config.StateFileProblem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nodemesh validate FILE...}: reads each state file (YAML or JSON) and validates it, printing a summary of a
 * valid one or every problem of an invalid one, each as {@code file:line:column: path: reason}. Nothing is applied.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Checks mesh state files (YAML or JSON) and prints every problem: file, line, path and reason.",
            "Nothing is applied."
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:every file is valid",
            "1:a file could not be read",
            "2:a file is malformed or its state invalid"
        })
public final class ValidateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static final int OK = 0;
    static final int UNREADABLE = 1;
    static final int INVALID = 2;

    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description = "state files; .json is JSON, .yaml/.yml YAML, others by content")
    List<Path> files;

    @Option(
            names = {"-o", "--output"},
            description =
                    "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); json: one object per file with its result, summary, problems or error.",
            defaultValue = "text")
    OutputFormat output;

    /** One file's outcome, as {@code --output json} prints it. */
    record FileReport(String file, String result, String summary, List<StateFileProblem> problems, String error) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean json = output == OutputFormat.json;
        boolean unreadable = false;
        boolean invalid = false;
        List<FileReport> reports = new ArrayList<>();
        for (Path file : files) {
            try {
                switch (MeshStateFiles.check(file)) {
                    case CheckedState.Valid v -> {
                        reports.add(new FileReport(file.toString(), "valid", summary(v.state()), List.of(), null));
                        if (!json) out.println("OK " + file + ": " + summary(v.state()));
                    }
                    case CheckedState.Invalid i -> {
                        invalid = true;
                        reports.add(new FileReport(file.toString(), "invalid", null, i.problems(), null));
                        if (!json) {
                            i.problems().forEach(p -> out.println(p));
                            out.println("INVALID " + file + ": " + count(i.problems()));
                        }
                    }
                }
            } catch (IOException e) {
                unreadable = true;
                reports.add(new FileReport(file.toString(), "unreadable", null, List.of(), describe(e)));
                if (!json) err.println(file + ": cannot read: " + describe(e));
            }
        }
        if (json) out.println(writeJson(reports));
        out.flush();
        err.flush();
        // Bad input outranks an unreadable file: it is the one the user can fix by editing.
        return invalid ? INVALID : unreadable ? UNREADABLE : OK;
    }

    static String summary(MeshState s) {
        EncryptionSpec e = s.encryption();
        String encryption = e.mode() == EncryptionSpec.Mode.NONE
                ? "no encryption"
                : "encryption " + e.mode().name().toLowerCase(Locale.ROOT) + (e.strict() ? " (strict)" : "");
        return plural(s.nodes().size(), "node") + ", " + plural(s.workloads().size(), "workload") + ", "
                + plural(s.services().size(), "service") + ", "
                + plural(s.policies().size(), "policy") + ", "
                + plural(s.routes().size(), "route") + ", " + encryption;
    }

    private static String writeJson(List<FileReport> reports) {
        try {
            return JSON.writeValueAsString(reports);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    private static String count(List<StateFileProblem> problems) {
        return plural(problems.size(), "problem");
    }

    private static String plural(int n, String noun) {
        if (n == 1) return n + " " + noun;
        return n + " " + (noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s");
    }

    private static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file";
            case AccessDeniedException x -> "permission denied";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }
}
