package io.nodemesh.wireguard.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ip} and {@code nft} for one node, inside its named network namespace when it has one. The one seam
 * through which this backend changes the host, so every command and its error text are reported the same way.
 */
final class HostCommands {
    record Result(int exit, String stdout, String stderr) {
        boolean ok() {
            return exit == 0;
        }
    }

    private final String netns;

    HostCommands(String netns) {
        this.netns = netns;
    }

    String netns() {
        return netns;
    }

    /** {@code ip <args>} in the node's namespace. */
    Result ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        if (!netns.isEmpty()) argv.addAll(List.of("-n", netns));
        argv.addAll(List.of(args));
        return run(argv, null);
    }

    /** {@code ip <args>}, failing with the command and its error when it does not succeed. */
    String ipChecked(String... args) {
        return checked(ip(args), "ip " + String.join(" ", args));
    }

    /** {@code nft -f -} with {@code script} as one transaction: all of it applies or none. */
    Result nft(String script) {
        return run(inNetns(List.of("nft", "-f", "-")), script);
    }

    String nftChecked(String script) {
        return checked(nft(script), "nft -f - <<" + script.strip().replace('\n', ';'));
    }

    /** The argv that runs {@code argv} in the node's namespace. */
    List<String> inNetns(List<String> argv) {
        if (netns.isEmpty()) return argv;
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        wrapped.addAll(argv);
        return wrapped;
    }

    private String checked(Result r, String what) {
        if (r.ok()) return r.stdout();
        throw new HostCommandException("`" + what + "`" + (netns.isEmpty() ? "" : " in netns " + netns)
                + " failed (exit " + r.exit() + "): " + r.stderr().strip());
    }

    Result run(List<String> argv, String stdin) {
        return exec(argv, stdin);
    }

    static Result exec(List<String> argv, String stdin) {
        try {
            Process p = new ProcessBuilder(argv).start();
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            // Outputs are small; read them fully before waiting so a chatty command cannot block on a full pipe.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out, "timed out after 30 s");
            }
            return new Result(p.exitValue(), out, err);
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + argv.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted");
        }
    }

    /** A host command failed; the message holds the command line and its stderr. */
    static final class HostCommandException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HostCommandException(String message) {
            super(message);
        }
    }
}
