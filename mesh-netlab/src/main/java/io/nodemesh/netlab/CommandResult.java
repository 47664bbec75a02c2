package io.nodemesh.netlab;

import java.util.List;

/**
 * What a finished command did. {@code exit} is -1 when it never ran or was killed at its timeout; {@code stderr} then
 * says why.
 */
public record CommandResult(List<String> argv, int exit, String stdout, String stderr) {
    public CommandResult {
        argv = List.copyOf(argv);
    }

    public boolean ok() {
        return exit == 0;
    }

    /** stdout then stderr: for tools (sockperf) that print results on either. */
    public String output() {
        return stdout + stderr;
    }

    /** The command line as a user would type it. */
    public String commandLine() {
        return String.join(" ", argv);
    }

    /** stdout if the command succeeded, else a {@link CommandException} naming it, its exit code and its stderr. */
    public String orThrow() {
        if (ok()) return stdout;
        throw new CommandException(this);
    }
}
