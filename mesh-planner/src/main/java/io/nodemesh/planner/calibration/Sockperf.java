package io.nodemesh.planner.calibration;

import io.nodemesh.netlab.Commands;
import io.nodemesh.netlab.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a pinned sockperf TCP ping-pong and reads its p50 (sockperf reports one-way latency: half the round trip). */
final class Sockperf {
    private static final Pattern P50 = Pattern.compile("percentile 50\\.000 =\\s*([0-9.]+)");
    private static final Pattern SENT = Pattern.compile("SentMessages=([0-9]+)");

    /** One run: its one-way p50 and how many messages the client sent in the measured window. */
    record PingPong(double p50Us, long sentMessages) {}

    private Sockperf() {}

    static double pingPongP50Us(String netns, int cpu, String ip, int port, int messageBytes, int seconds) {
        return pingPong(netns, null, cpu, ip, port, messageBytes, seconds).p50Us();
    }

    /** Like {@link #pingPongP50Us} with the client inside {@code cgroup} (null: where this JVM is). */
    static PingPong pingPong(String netns, Path cgroup, int cpu, String ip, int port, int messageBytes, int seconds) {
        var argv = InCgroup.wrap(
                cgroup,
                Netns.named(netns)
                        .wrap(Pinning.onCpu(
                                cpu,
                                "sockperf",
                                "ping-pong",
                                "--tcp",
                                "-i",
                                ip,
                                "-p",
                                Integer.toString(port),
                                "-m",
                                Integer.toString(messageBytes),
                                "-t",
                                Integer.toString(seconds))));
        var run = Commands.run(Duration.ofSeconds(seconds + 30L), null, argv);
        run.orThrow();
        // sockperf prints its summary on either stream depending on version: read both.
        String out = run.output();
        Matcher m = P50.matcher(out);
        if (!m.find())
            throw new CalibrationException(
                    "sockperf printed no p50 for " + ip + ":" + port + " in " + netns + ": " + out.strip());
        Matcher sent = SENT.matcher(out);
        return new PingPong(Double.parseDouble(m.group(1)), sent.find() ? Long.parseLong(sent.group(1)) : 0);
    }
}
