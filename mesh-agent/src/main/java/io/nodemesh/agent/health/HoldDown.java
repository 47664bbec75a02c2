package io.nodemesh.agent.health;

import io.nodemesh.api.state.HealthCheckSchedule;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The thresholds of health checks, as the simulator has them: an endpoint turns unhealthy after
 * {@code unhealthyThreshold} failed probes in a row and healthy again after {@code healthyThreshold} passed ones; it
 * starts healthy. Not thread-safe: the checker serialises results.
 */
final class HoldDown {
    private static final class Count {
        boolean unhealthy;
        int failed;
        int passed;
    }

    private final Map<ProbeTarget.EndpointKey, Count> counts = new HashMap<>();

    /** Records one probe's result; true when it changed the endpoint's health. */
    boolean record(ProbeTarget.EndpointKey endpoint, HealthCheckSchedule schedule, boolean passedProbe) {
        Count c = counts.computeIfAbsent(endpoint, k -> new Count());
        if (passedProbe) {
            c.failed = 0;
            if (c.unhealthy && ++c.passed >= schedule.healthyThreshold()) {
                c.unhealthy = false;
                c.passed = 0;
                return true;
            }
        } else {
            c.passed = 0;
            if (!c.unhealthy && ++c.failed >= schedule.unhealthyThreshold()) {
                c.unhealthy = true;
                c.failed = 0;
                return true;
            }
        }
        return false;
    }

    Set<ProbeTarget.EndpointKey> unhealthy() {
        Set<ProbeTarget.EndpointKey> out = new HashSet<>();
        counts.forEach((k, c) -> {
            if (c.unhealthy) out.add(k);
        });
        return out;
    }

    /** Forgets endpoints no longer probed; true if one of them was unhealthy (so the effective state changes). */
    boolean retain(Collection<ProbeTarget.EndpointKey> live) {
        Set<ProbeTarget.EndpointKey> keep = new HashSet<>(live);
        boolean changed = false;
        for (var it = counts.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!keep.contains(e.getKey())) {
                changed |= e.getValue().unhealthy;
                it.remove();
            }
        }
        return changed;
    }
}
