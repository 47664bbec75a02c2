package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.Violation;
import io.nodemesh.kubernetes.crd.MeshHttpRouteSpec;
import java.time.Duration;
import java.util.List;

/**
 * A route rule's {@code fault} becomes an {@link HttpFault}. Bounds are checked here, not only by MeshState validation,
 * so the condition names the field as the user wrote it ({@code spec.rules[0].fault.abort.status}) — and a CRD
 * installed without its schema (or an older one) lets anything through to us.
 */
final class FaultReader {
    private static final int ALL = 100;

    private FaultReader() {}

    static HttpFault read(MeshHttpRouteSpec.Fault fault, String at, List<Violation> violations) {
        if (fault == null) return HttpFault.NONE;
        Duration delay = Duration.ZERO;
        int delayPercent = 0;
        if (fault.delay() != null) {
            String d = fault.delay().duration();
            if (d == null || d.isEmpty()) {
                violations.add(new Violation(at + ".delay.duration", "missing"));
            } else {
                Duration parsed = GoDuration.parse(d);
                if (parsed == null)
                    violations.add(new Violation(
                            at + ".delay.duration", "'" + d + "' is not a duration such as 2s, 500ms or 1m30s"));
                else delay = parsed;
            }
            delayPercent = percent(fault.delay().percent(), at + ".delay.percent", violations);
        }
        int status = 0;
        int abortPercent = 0;
        if (fault.abort() != null) {
            Integer s = fault.abort().status();
            if (s == null) violations.add(new Violation(at + ".abort.status", "missing"));
            else if (s < 200 || s > 599)
                violations.add(
                        new Violation(at + ".abort.status", s + " is not an HTTP status to abort with (200..599)"));
            else status = s;
            abortPercent = percent(fault.abort().percent(), at + ".abort.percent", violations);
        }
        return new HttpFault(delay, delayPercent, status, status == 0 ? 0 : abortPercent);
    }

    private static int percent(Integer value, String at, List<Violation> violations) {
        if (value == null) return ALL;
        if (value < 0 || value > 100) {
            violations.add(new Violation(at, value + " is not a percentage (0..100)"));
            return 0;
        }
        return value;
    }
}
