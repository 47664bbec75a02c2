package io.nodemesh.wireguard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands for test set-up, failing loudly with the command's stderr. */
public final class Sh {
    public record Out(int exit, String stdout, String stderr) {}

    private Sh() {}

    public static String run(String... argv) {
        Out o = tryRun(argv);
        if (o.exit() != 0) throw new IllegalStateException("`" + String.join(" ", argv) + "` failed (" + o.exit() + "): " + o.stderr().strip());
        return o.stdout();
    }

    public static Out tryRun(String... argv) {
        return tryRunWithInput(null, argv);
    }

    public static Out tryRunWithInput(String stdin, String... argv) {
        try {
            Process p = new ProcessBuilder(List.of(argv)).start();
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Out(-1, out, "timeout");
            }
            return new Out(p.exitValue(), out, err);
        } catch (IOException e) {
            return new Out(-1, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Out(-1, "", "interrupted");
        }
    }

    /** Polls {@code condition} until it holds; a wait for the network to settle, not a timing assertion. */
    public static boolean await(java.util.function.BooleanSupplier condition, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
