package io.nodemesh.envoy.supervisor;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's Envoy: starts it, waits for it to report ready, restarts it with exponential backoff when it dies,
 * and hot-restarts it (a new {@code --restart-epoch} that takes the listening sockets over from the running one, which
 * then drains) on request — e.g. after a bootstrap change.
 * <p>
 * After a crash there is no parent to hand over from, so the next process starts again at epoch 0. One watcher thread
 * (a platform daemon) owns the restart loop; {@link #close()} stops it and the process.
 */
public final class EnvoySupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnvoySupervisor.class);

    private final SupervisorConfig config;
    private final Seams.Launcher launcher;
    private final Seams.Readiness readiness;
    private final Seams.Sleeper sleeper;
    private final List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
    private final List<Consumer<SupervisorEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private Process current;
    /** Earlier epochs still draining after a hot restart; Envoy's new epoch ends them, close() makes sure. */
    private final List<Process> draining = new CopyOnWriteArrayList<>();

    private int epoch;
    private volatile boolean closed;
    private Thread watcher;

    public EnvoySupervisor(
            SupervisorConfig config, Seams.Launcher launcher, Seams.Readiness readiness, Seams.Sleeper sleeper) {
        this.config = config;
        this.launcher = launcher;
        this.readiness = readiness;
        this.sleeper = sleeper;
    }

    /** The real thing: processes, the admin endpoint on {@code adminPort}, real sleeps. */
    public static EnvoySupervisor forEnvoy(SupervisorConfig config, int adminPort) {
        return new EnvoySupervisor(
                config, Seams.Launcher.processes(), Seams.Readiness.admin(adminPort), Seams.Sleeper.real());
    }

    public void onEvent(Consumer<SupervisorEvent> listener) {
        listeners.add(listener);
    }

    public List<SupervisorEvent> events() {
        return List.copyOf(events);
    }

    public int epoch() {
        synchronized (lock) {
            return epoch;
        }
    }

    /**
     * Starts Envoy at epoch 0 and returns once it is ready; then keeps it running.
     *
     * @throws IOException if it cannot be launched or does not become ready (it is stopped again)
     */
    public void start() throws IOException, InterruptedException {
        synchronized (lock) {
            if (watcher != null) throw new IllegalStateException("already started");
            epoch = 0;
            current = launchReady(0);
            watcher = Thread.ofPlatform().daemon().name("envoy-supervisor").start(this::watch);
        }
    }

    /** Starts the next epoch alongside the running one and returns once it is ready; the old one drains and exits. */
    public void hotRestart() throws IOException, InterruptedException {
        synchronized (lock) {
            if (current == null) throw new IllegalStateException("not running");
            int from = epoch;
            Process next = launchReady(from + 1);
            draining.add(current);
            draining.removeIf(d -> !d.isAlive());
            epoch = from + 1;
            current = next;
            emit(new SupervisorEvent.HotRestarted(from, epoch));
            lock.notifyAll(); // the watcher now watches the new process
        }
    }

    private Process launchReady(int e) throws IOException, InterruptedException {
        Process p = launcher.launch(config.command(e));
        emit(new SupervisorEvent.Started(e, p.pid()));
        Instant deadline = Instant.now().plus(config.readyTimeout());
        while (Instant.now().isBefore(deadline)) {
            if (readiness.ready(e)) {
                emit(new SupervisorEvent.Ready(e, p.pid()));
                return p;
            }
            if (!p.isAlive()) {
                emit(new SupervisorEvent.Exited(e, p.pid(), p.exitValue()));
                throw new IOException("envoy (epoch " + e + ") exited with " + p.exitValue() + " before it was ready");
            }
            p.waitFor(50, TimeUnit.MILLISECONDS);
        }
        emit(new SupervisorEvent.NotReady(e, p.pid()));
        stop(p);
        throw new IOException("envoy (epoch " + e + ") was not ready after " + config.readyTimeout());
    }

    /** Waits for the current process to die; restarts it (epoch 0) with backoff unless closed or hot-restarted. */
    private void watch() {
        int crashes = 0;
        while (!closed) {
            Process watched;
            int watchedEpoch;
            synchronized (lock) {
                watched = current;
                watchedEpoch = epoch;
            }
            Instant since = Instant.now();
            try {
                while (watched.isAlive() && !closed && watched == currentProcess())
                    watched.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            if (watched != currentProcess()) continue; // replaced by a hot restart: watch the new one
            emit(new SupervisorEvent.Exited(watchedEpoch, watched.pid(), watched.exitValue()));
            if (Duration.between(since, Instant.now()).compareTo(config.stableAfter()) >= 0) crashes = 0;
            while (!closed) {
                crashes++;
                Duration delay = backoff(crashes);
                emit(new SupervisorEvent.RestartScheduled(delay, crashes));
                try {
                    sleeper.sleep(delay);
                    if (closed) return;
                    synchronized (lock) {
                        epoch = 0;
                        current = launchReady(0);
                    }
                    break;
                } catch (IOException e) {
                    LOG.warn("envoy restart failed: {}", e.getMessage());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Process currentProcess() {
        synchronized (lock) {
            return current;
        }
    }

    /** firstBackoff × 2^(n-1), capped at maxBackoff. */
    Duration backoff(int crashesInARow) {
        Duration d = config.firstBackoff();
        for (int i = 1; i < crashesInARow && d.compareTo(config.maxBackoff()) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : d;
    }

    private void emit(SupervisorEvent e) {
        events.add(e);
        LOG.info("envoy supervisor: {}", e);
        for (Consumer<SupervisorEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("supervisor listener failed", ex);
            }
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: Envoy shuts down cleanly
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closed = true;
        Thread w;
        Process p;
        synchronized (lock) {
            w = watcher;
            p = current;
            current = null;
        }
        if (w != null) w.interrupt();
        try {
            if (w != null) w.join(5_000);
            for (Process d : draining) stop(d);
            if (p != null) {
                stop(p);
                emit(new SupervisorEvent.Stopped(epoch));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
