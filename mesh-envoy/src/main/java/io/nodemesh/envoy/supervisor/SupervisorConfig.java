package io.nodemesh.envoy.supervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run the node's Envoy.
 *
 * @param binary          the envoy executable
 * @param bootstrap       the bootstrap file ({@link io.nodemesh.envoy.Bootstraps#envoyJson})
 * @param baseId          Envoy's {@code --base-id}: names the shared memory hot restart uses, one per Envoy on a host
 * @param drainTime       {@code --drain-time-s}: how long an old epoch drains connections after a hot restart
 * @param parentShutdown  {@code --parent-shutdown-time-s}: when the old epoch is shut down for good
 * @param readyTimeout    how long a new process may take to report ready before it is counted as failed
 * @param firstBackoff    delay before the first restart after a crash; doubles with each crash in a row
 * @param maxBackoff      the longest delay between restarts
 * @param stableAfter     a process that stayed up this long resets the backoff
 * @param extraArgs       more arguments (e.g. {@code --concurrency 2})
 */
public record SupervisorConfig(
        Path binary,
        Path bootstrap,
        int baseId,
        Duration drainTime,
        Duration parentShutdown,
        Duration readyTimeout,
        Duration firstBackoff,
        Duration maxBackoff,
        Duration stableAfter,
        List<String> extraArgs) {
    public SupervisorConfig {
        extraArgs = List.copyOf(extraArgs);
        if (!parentShutdown.minus(drainTime).isPositive()) {
            throw new IllegalArgumentException(
                    "parentShutdown (" + parentShutdown + ") must be longer than drainTime (" + drainTime + ")");
        }
    }

    public static SupervisorConfig defaults(Path binary, Path bootstrap) {
        return new SupervisorConfig(
                binary,
                bootstrap,
                0,
                Duration.ofSeconds(30),
                Duration.ofSeconds(45),
                Duration.ofSeconds(30),
                Duration.ofMillis(250),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                List.of());
    }

    /** Envoy's command line for hot-restart {@code epoch}. */
    List<String> command(int epoch) {
        var cmd = new java.util.ArrayList<>(List.of(
                binary.toString(),
                "-c",
                bootstrap.toString(),
                "--restart-epoch",
                Integer.toString(epoch),
                "--base-id",
                Integer.toString(baseId),
                "--drain-time-s",
                Long.toString(drainTime.toSeconds()),
                "--parent-shutdown-time-s",
                Long.toString(parentShutdown.toSeconds())));
        cmd.addAll(extraArgs);
        return cmd;
    }
}
