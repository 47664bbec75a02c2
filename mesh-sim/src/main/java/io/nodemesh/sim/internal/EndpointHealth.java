package io.nodemesh.sim.internal;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HealthCheck;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.OutlierDetection;
import io.nodemesh.api.state.Service;
import io.nodemesh.sim.BackendCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster-wide health of endpoints, the simulator's reference for what the dataplanes do with a service's
 * {@link io.nodemesh.api.state.Resilience}. One per simulation, shared by every node, because the eBPF agent ejects for
 * the whole cluster and Envoy's health checks converge on the same answer everywhere.
 * <ul>
 *   <li>Active checks probe every ready endpoint at {@code start + k × interval} of virtual time. An endpoint turns
 *       unhealthy after {@code unhealthyThreshold} failed probes in a row and healthy again after
 *       {@code healthyThreshold} passes; endpoints start healthy.</li>
 *   <li>Outlier detection (L7 services: it is the node proxy that sees failures) counts failed connects and 5xx answers
 *       in a row per endpoint. Reaching a threshold ejects the endpoint for {@code baseEjectionTime × ejections}, ended
 *       at the first sweep ({@code start + k × interval}) after that, unless the service already has
 *       {@code maxEjectionPercent} of its endpoints out: the count is never exceeded (Envoy ejects one host
 *       regardless, a documented divergence).</li>
 * </ul>
 * An endpoint out either way gets no new connections; when every endpoint is out, the service has no backend (no
 * panic mode: the Envoy backend turns it off for services with resilience).
 */
public final class EndpointHealth {
    private final Instant start;
    private final Map<String, BackendCondition> conditions = new HashMap<>();
    private final Map<String, Track> tracks = new HashMap<>();

    /** What is known about one endpoint of one service. */
    private static final class Track {
        boolean unhealthy;
        int failedProbes;
        int passedProbes;
        int connectFailures;
        int serverErrors;
        int ejections;
        Instant ejectedUntil = Instant.MIN;
    }

    public EndpointHealth(Instant start) {
        this.start = start;
    }

    public void setCondition(String ip, BackendCondition condition) {
        if (condition == BackendCondition.UP) conditions.remove(IpAddresses.canonical(ip));
        else conditions.put(IpAddresses.canonical(ip), condition);
    }

    public BackendCondition condition(String ip) {
        return conditions.getOrDefault(IpAddresses.canonical(ip), BackendCondition.UP);
    }

    /** The endpoints of {@code ready} that may get new connections now. */
    List<Endpoint> selectable(Service service, List<Endpoint> ready, Instant now) {
        if (!service.resilience().ejects() || tracks.isEmpty()) return ready;
        List<Endpoint> out = null;
        for (int i = 0; i < ready.size(); i++) {
            boolean in = usable(tracks.get(key(service, ready.get(i))), now);
            if (!in && out == null) out = new ArrayList<>(ready.subList(0, i));
            if (in && out != null) out.add(ready.get(i));
        }
        return out == null ? ready : List.copyOf(out);
    }

    /** Whether the endpoint is healthy and not ejected now, as far as this service is concerned. */
    public boolean usable(Service service, String ip, Instant now) {
        return usable(tracks.get(key(service, ip)), now);
    }

    private static boolean usable(Track t, Instant now) {
        return t == null || (!t.unhealthy && !now.isBefore(t.ejectedUntil));
    }

    /**
     * Runs the probes due in {@code (from, to]} for every service of {@code s} with a health check. Conditions do not
     * change inside one advance, so after as many probes as the larger threshold the outcome is settled and the rest
     * are skipped.
     */
    public void advance(Snapshot s, Instant from, Instant to) {
        for (Service service : s.state().services()) {
            if (service.resilience().healthCheck().isEmpty()) continue;
            HealthCheck check = service.resilience().healthCheck().get();
            HealthCheckSchedule schedule = check.schedule();
            long due = ticks(schedule.interval(), from, to);
            long settled = Math.max(schedule.healthyThreshold(), schedule.unhealthyThreshold());
            for (Endpoint e : s.readyEndpoints(service)) {
                boolean passes = passes(check, condition(e.ip()));
                Track t = track(service, e.ip());
                for (long k = 0; k < Math.min(due, settled); k++) probe(t, passes, schedule);
            }
        }
    }

    private static boolean passes(HealthCheck check, BackendCondition c) {
        return switch (c) {
            case UP -> true;
            case DOWN -> false;
            case SERVER_ERRORS ->
                !(check instanceof HttpHealthCheck http) || http.expected().contains(503);
        };
    }

    private static void probe(Track t, boolean passed, HealthCheckSchedule schedule) {
        if (passed) {
            t.failedProbes = 0;
            if (t.unhealthy && ++t.passedProbes >= schedule.healthyThreshold()) {
                t.unhealthy = false;
                t.passedProbes = 0;
            }
        } else {
            t.passedProbes = 0;
            if (!t.unhealthy && ++t.failedProbes >= schedule.unhealthyThreshold()) {
                t.unhealthy = true;
                t.failedProbes = 0;
            }
        }
    }

    /** Instants {@code start + k × interval} in {@code (from, to]}. */
    private long ticks(Duration interval, Instant from, Instant to) {
        long step = interval.toNanos();
        return Math.floorDiv(nanosSinceStart(to), step) - Math.floorDiv(nanosSinceStart(from), step);
    }

    private long nanosSinceStart(Instant t) {
        return Duration.between(start, t).toNanos();
    }

    /** The node proxy opened a connection to {@code ip} for {@code service} (success resets the count). */
    void connected(Service service, String ip) {
        Track t = tracks.get(key(service, ip));
        if (t != null) t.connectFailures = 0;
    }

    /** The node proxy could not connect to {@code ip}; may eject it. */
    void connectFailed(Snapshot s, Service service, String ip, Instant now) {
        OutlierDetection o = service.resilience().outlierDetection().orElse(null);
        if (o == null || o.consecutiveConnectFailures() == 0) return;
        Track t = track(service, ip);
        if (++t.connectFailures >= o.consecutiveConnectFailures()) {
            t.connectFailures = 0;
            eject(s, service, t, o, now);
        }
    }

    /** A response from {@code ip} through the node proxy; a 5xx may eject it. */
    void answered(Snapshot s, Service service, String ip, int status, Instant now) {
        OutlierDetection o = service.resilience().outlierDetection().orElse(null);
        if (o == null || o.consecutive5xx() == 0) return;
        Track t = track(service, ip);
        if (status < 500) {
            t.serverErrors = 0;
        } else if (++t.serverErrors >= o.consecutive5xx()) {
            t.serverErrors = 0;
            eject(s, service, t, o, now);
        }
    }

    private void eject(Snapshot s, Service service, Track t, OutlierDetection o, Instant now) {
        if (now.isBefore(t.ejectedUntil)) return; // already out
        List<Endpoint> all = s.readyEndpoints(service);
        long out = all.stream()
                .filter(e -> {
                    Track other = tracks.get(key(service, e.ip()));
                    return other != null && now.isBefore(other.ejectedUntil);
                })
                .count();
        if ((out + 1) * 100 > (long) o.maxEjectionPercent() * all.size()) return;
        t.ejections++;
        Instant until = now.plus(o.baseEjectionTime().multipliedBy(t.ejections));
        // The ejection ends at the first sweep at or after its time.
        long step = o.interval().toNanos();
        long since = nanosSinceStart(until);
        t.ejectedUntil = start.plusNanos(Math.ceilDiv(since, step) * step);
    }

    /** Forgets endpoints a new state no longer has, so a returning address starts afresh. */
    public void retain(Snapshot s) {
        if (tracks.isEmpty()) return;
        java.util.Set<String> live = new java.util.HashSet<>();
        for (Service service : s.state().services()) {
            if (!service.resilience().ejects()) continue;
            for (Endpoint e : s.readyEndpoints(service)) live.add(key(service, e.ip()));
        }
        tracks.keySet().retainAll(live);
    }

    private Track track(Service service, String ip) {
        return tracks.computeIfAbsent(key(service, ip), k -> new Track());
    }

    private static String key(Service service, Endpoint e) {
        return key(service, e.ip());
    }

    private static String key(Service service, String ip) {
        return service.key() + " " + IpAddresses.canonical(ip);
    }
}
