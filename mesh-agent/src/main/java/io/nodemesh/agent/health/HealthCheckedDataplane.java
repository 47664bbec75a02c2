package io.nodemesh.agent.health;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataplane that health-checks the endpoints of services with a {@link io.nodemesh.api.state.HealthCheck} and gives
 * the wrapped one the {@linkplain EffectiveState effective state}: unhealthy endpoints not ready. So an eBPF backend
 * drops them from the service's slots on the next probe that crosses a threshold, and restores them the same way; with
 * the state every node's agent gets and probes that see the same endpoints, every node ejects the same ones.
 * <p>
 * {@link #apply} takes the caller's (desired) state, and {@link #state()} returns it; {@link #effective()} is what the
 * backend runs. Probes run on virtual threads, scheduled by one platform daemon thread, {@code nodemesh-health}. A
 * result that crosses a threshold re-applies at once; one of a state since replaced is ignored. {@link #close()} stops
 * the probes only: the wrapped dataplane belongs to whoever opened it.
 */
public final class HealthCheckedDataplane implements MeshDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(HealthCheckedDataplane.class);

    private final MeshDataplane backend;
    private final Prober prober;
    private final Consumer<String> report;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
    private final HoldDown holdDown = new HoldDown();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private List<ProbeTarget> targets = List.of();
    private MeshState desired = MeshState.EMPTY;
    private MeshState effective = MeshState.EMPTY;
    private long round;
    private boolean closed;

    /**
     * @param report told of every endpoint ejected or restored, in a line a person reads (the agent prints it)
     */
    public HealthCheckedDataplane(MeshDataplane backend, Prober prober, Consumer<String> report) {
        this.backend = backend;
        this.prober = prober;
        this.report = report;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("nodemesh-health").daemon().factory());
    }

    /** The agent's: real TCP and HTTP probes, changes logged. */
    public static HealthCheckedDataplane wrap(MeshDataplane backend) {
        return new HealthCheckedDataplane(backend, new SocketProber(), LOG::info);
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public synchronized ApplyResult apply(MeshState state) {
        Set<ProbeTarget.EndpointKey> out = unhealthyIn(state);
        if (!out.isEmpty()) {
            // The effective state is derived from this one: it must be valid before it is looked at.
            List<Violation> violations = state.validate(desired);
            if (!violations.isEmpty()) throw new InvalidStateException(violations);
        }
        MeshState next = EffectiveState.of(state, out);
        ApplyResult result = backend.apply(next);
        desired = state;
        effective = next;
        reschedule();
        return result;
    }

    /** The unhealthy endpoints that {@code state} still has. */
    private Set<ProbeTarget.EndpointKey> unhealthyIn(MeshState state) {
        Set<ProbeTarget.EndpointKey> out = holdDown.unhealthy();
        if (out.isEmpty()) return out;
        Set<ProbeTarget.EndpointKey> live = new java.util.HashSet<>();
        ProbeTargets.of(state).forEach(t -> live.add(t.endpoint()));
        out.retainAll(live);
        return out;
    }

    /** Probes what the desired state asks for; the same targets as before keep their timers and counts. */
    private void reschedule() {
        List<ProbeTarget> next = ProbeTargets.of(desired);
        if (next.equals(targets) || closed) return;
        tasks.forEach(t -> t.cancel(false));
        tasks.clear();
        round++;
        targets = next;
        holdDown.retain(next.stream().map(ProbeTarget::endpoint).toList());
        long r = round;
        for (ProbeTarget t : next) {
            long every = t.check().schedule().interval().toNanos();
            tasks.add(scheduler.scheduleAtFixedRate(
                    () -> probes.execute(() -> result(r, t, prober.probe(t))), every, every, TimeUnit.NANOSECONDS));
        }
    }

    private synchronized void result(long fromRound, ProbeTarget t, boolean passed) {
        if (fromRound != round || closed) return;
        if (!holdDown.record(t.endpoint(), t.check().schedule(), passed)) return;
        report.accept((passed ? "restored" : "ejected") + " endpoint " + t.ip() + " of service " + t.service() + " ("
                + (passed
                        ? "passed " + t.check().schedule().healthyThreshold()
                        : "failed " + t.check().schedule().unhealthyThreshold())
                + " probes of port " + t.port() + " in a row)");
        MeshState next = EffectiveState.of(desired, unhealthyIn(desired));
        try {
            backend.apply(next);
            effective = next;
        } catch (RuntimeException e) {
            // The backend keeps what it had; the next crossing or apply tries again.
            LOG.warn("could not apply the health of {} for service {}: {}", t.ip(), t.service(), e.getMessage());
        }
    }

    /** What the wrapped backend was last given. */
    public synchronized MeshState effective() {
        return effective;
    }

    /** The endpoints out of rotation now. */
    public synchronized Set<ProbeTarget.EndpointKey> unhealthy() {
        return unhealthyIn(desired);
    }

    @Override
    public synchronized MeshState state() {
        return desired;
    }

    @Override
    public Flows flows() {
        return backend.flows();
    }

    @Override
    public Set<Capability> capabilities() {
        return backend.capabilities();
    }

    /** The backend's, and the endpoints out of rotation as problems of their own entry. */
    @Override
    public List<BackendHealth> health() {
        List<BackendHealth> out = new ArrayList<>(backend.health());
        Set<ProbeTarget.EndpointKey> down = unhealthy();
        if (!down.isEmpty()) {
            out.add(new BackendHealth(
                    "health-checks",
                    down.stream()
                            .map(k -> "endpoint " + k.ip() + " of service " + k.service()
                                    + " fails its health check and gets no new connections")
                            .sorted()
                            .toList(),
                    List.of(),
                    List.of(),
                    List.of()));
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            tasks.forEach(t -> t.cancel(false));
            tasks.clear();
        }
        scheduler.shutdownNow();
        probes.shutdownNow();
    }
}
