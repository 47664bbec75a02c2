package io.nodemesh.ebpf.bpf;

import java.util.List;

/**
 * The kernel's verifier rejected a program. The message holds the last lines of the verifier log, where the reason
 * is, and says how many lines were left out; {@link #log()} is the whole log.
 */
public final class VerifierException extends BpfException {
    private static final long serialVersionUID = 1L;

    static final int TAIL_LINES = 8;

    private final String log;
    private final String program;

    public VerifierException(String object, String program, int errno, String log) {
        super(message(object, program, errno, log), errno, true);
        this.log = log;
        this.program = program;
    }

    /** The complete verifier log. */
    public String log() {
        return log;
    }

    /** The program the verifier rejected, or empty when libbpf did not say. */
    public String program() {
        return program;
    }

    private static String message(String object, String program, int errno, String log) {
        List<String> lines = log.strip().lines().toList();
        int omitted = Math.max(0, lines.size() - TAIL_LINES);
        StringBuilder sb = new StringBuilder("verifier rejected ")
                .append(program.isEmpty() ? "a program" : "program " + program)
                .append(" of object ")
                .append(object)
                .append(": ")
                .append(Errno.name(errno))
                .append('\n');
        if (omitted > 0) sb.append("\t(").append(omitted).append(" lines omitted)\n");
        for (String line : lines.subList(omitted, lines.size()))
            sb.append('\t').append(line).append('\n');
        return sb.toString().stripTrailing();
    }
}
