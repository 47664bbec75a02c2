package io.nodemesh.netlab;

import java.io.Serial;

/** A command failed: the message names the command line, its exit code and what it printed on stderr. */
public final class CommandException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient CommandResult result;

    public CommandException(CommandResult result) {
        super(describe(result));
        this.result = result;
    }

    /** The failed run (argv, exit code, both outputs). */
    public CommandResult result() {
        return result;
    }

    private static String describe(CommandResult r) {
        // Some tools report errors on stdout only; show that when stderr is empty rather than nothing.
        String said = r.stderr().isBlank() ? r.stdout().strip() : r.stderr().strip();
        return "`" + r.commandLine() + "` failed (exit " + r.exit() + ")" + (said.isEmpty() ? "" : ": " + said);
    }
}
