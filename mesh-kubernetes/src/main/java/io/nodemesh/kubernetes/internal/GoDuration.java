package io.nodemesh.kubernetes.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations the way Kubernetes manifests write them ({@code 1h30m}, {@code 2s}, {@code 250ms}, {@code 1.5s}). */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    /** The duration, or {@code null} when {@code text} is not one (the caller names the field). */
    static Duration parse(String text) {
        if (text == null || text.isEmpty()) return null;
        if (text.equals("0")) return Duration.ZERO;
        Matcher m = PART.matcher(text);
        int at = 0;
        double nanos = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) return null;
            double value = Double.parseDouble(m.group(1));
            nanos += value
                    * switch (m.group(2)) {
                        case "ns" -> 1d;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
            at = m.end();
        }
        return Duration.ofNanos((long) nanos);
    }
}
