package io.nodemesh.planner.calibration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs system commands (ip, sockperf, haproxy) and fails with the command line and its output when they fail. */
final class Commands {
    private Commands() {}

    /** Runs {@code cmd} to completion (at most {@code timeoutSeconds}) and returns stdout+stderr. */
    static String run(long timeoutSeconds, String... cmd) {
        return run(timeoutSeconds, List.of(cmd));
    }

    static String run(long timeoutSeconds, List<String> cmd) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new CalibrationException("cannot start `" + String.join(" ", cmd) + "`: " + e.getMessage(), e);
        }
        try {
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!done) {
                p.destroyForcibly();
                throw new CalibrationException("`" + String.join(" ", cmd) + "` did not finish in " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new CalibrationException("`" + String.join(" ", cmd) + "` failed (exit " + p.exitValue() + "): " + out.strip());
            }
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CalibrationException("interrupted while running `" + String.join(" ", cmd) + "`", e);
        } catch (IOException e) {
            throw new CalibrationException("cannot read output of `" + String.join(" ", cmd) + "`", e);
        }
    }

    /** Like {@link #run} but returns null instead of failing: for best-effort cleanup. */
    static String tryRun(long timeoutSeconds, String... cmd) {
        try {
            return run(timeoutSeconds, cmd);
        } catch (CalibrationException e) {
            return null;
        }
    }

    /** {@code ip netns exec ns taskset -c cpu args…}: every process of a measurement shares one CPU (see DESIGN.md). */
    static List<String> inNetnsPinned(String netns, int cpu, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "taskset", "-c", Integer.toString(cpu)));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
