package io.nodemesh.planner.calibration;

import io.nodemesh.netlab.Netns;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a pinned sockperf TCP ping-pong and reads its p50 (sockperf reports one-way latency: half the round trip). */
final class Sockperf {
    private static final Pattern P50 = Pattern.compile("percentile 50\\.000 =\\s*([0-9.]+)");

    private Sockperf() {}

    static double pingPongP50Us(String netns, int cpu, String ip, int port, int messageBytes, int seconds) {
        var run = Netns.named(netns).exec(Duration.ofSeconds(seconds + 30L), null, Pinning.onCpu(cpu, "sockperf", "ping-pong",
                "--tcp", "-i", ip, "-p", Integer.toString(port), "-m", Integer.toString(messageBytes), "-t", Integer.toString(seconds)));
        run.orThrow();
        // sockperf prints its summary on either stream depending on version: read both.
        String out = run.output();
        Matcher m = P50.matcher(out);
        if (!m.find()) throw new CalibrationException("sockperf printed no p50 for " + ip + ":" + port + " in " + netns + ": " + out.strip());
        return Double.parseDouble(m.group(1));
    }
}
