package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.kubernetes.FeedHealth;
import io.nodemesh.kubernetes.FeedListener;
import io.nodemesh.kubernetes.FeedOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed: informer events mark what changed, a quiet period coalesces a burst into one batch, and one thread
 * assembles the state and applies it. Nothing is applied before every cache has been listed once, so an agent never
 * programs a half-known cluster (a policy not yet read would let through what it denies).
 */
public final class FeedLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FeedLoop.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final int MAX_QUARANTINE_ROUNDS = 8;

    private final KubernetesClient client;
    private final MeshDataplane dataplane;
    private final FeedOptions options;
    private final InformerCache cache;
    private final PendingChanges pending = new PendingChanges();
    private final StateAssembler assembler;
    private final StatusWriter statusWriter;
    private final StatusLeader statusLeader; // null: every agent writes (election off, or no status written at all)
    private final List<FeedListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;

    // Debounce state, guarded by this.
    private ScheduledFuture<?> scheduled;
    private long batchStartNanos;
    private long scheduledAtNanos;

    // Health, written by the feed thread.
    private volatile String problem;
    private volatile List<String> leftOut = List.of();
    private volatile long applies;
    private volatile Instant lastApplied;
    private volatile boolean appliedOnce;
    private boolean syncReported; // feed thread only
    private Duration backoff;

    public FeedLoop(KubernetesClient client, MeshDataplane dataplane, FeedOptions options) {
        this(client, dataplane, options, true);
    }

    /**
     * With {@code stripCachedMetadata} false the informer caches keep managedFields and the last-applied annotation:
     * only for the benchmark to measure what stripping saves.
     */
    public FeedLoop(
            KubernetesClient client, MeshDataplane dataplane, FeedOptions options, boolean stripCachedMetadata) {
        this.client = client;
        this.dataplane = dataplane;
        this.options = options;
        this.backoff = options.retryBackoff();
        this.cache = new InformerCache(client, this::changed, stripCachedMetadata);
        this.assembler = new StateAssembler(cache, client.getKubernetesSerialization());
        this.statusWriter = new StatusWriter(client);
        this.statusLeader = options.writeStatus() && options.statusElection().enabled()
                ? new StatusLeader(client, options.statusElection(), identity(options), () -> schedule(Duration.ZERO))
                : null;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nodemesh-feed");
            t.setDaemon(true);
            return t;
        });
    }

    /** The agent's name in the status election: its node (one agent per node). */
    private static String identity(FeedOptions options) {
        return options.nodeName().isEmpty() ? "feed-" + java.util.UUID.randomUUID() : options.nodeName();
    }

    public void start() {
        if (statusLeader != null) statusLeader.start();
        cache.start().thenRun(() -> schedule(Duration.ZERO)); // assemble the moment the last informer has listed
        schedule(Duration.ZERO);
    }

    public void addListener(FeedListener listener) {
        listeners.add(listener);
    }

    public FeedHealth health() {
        List<String> problems = new ArrayList<>(cache.problems());
        if (!options.nodeName().isEmpty()
                && cache.synced()
                && cache.nodes().stream()
                        .noneMatch(n -> n.getMetadata().getName().equals(options.nodeName()))) {
            problems.add("node " + options.nodeName() + " is not in the API server's node list");
        }
        String p = problem;
        if (p != null) problems.add(p);
        if (!appliedOnce && problems.isEmpty()) problems.add("no state applied yet");
        return new FeedHealth(problems.isEmpty(), problems, applies, lastApplied, leftOut);
    }

    private void changed(ResourceKind kind, HasMetadata object) {
        pending.record(kind, object);
        poke();
    }

    /** Trailing-edge debounce with a cap: apply once the cluster has been quiet for a while, or at the latest after maxDelay. */
    private synchronized void poke() {
        long now = System.nanoTime();
        if (batchStartNanos == 0) batchStartNanos = now;
        long deadline = batchStartNanos + options.maxDelay().toNanos();
        long at = Math.min(now + options.quietPeriod().toNanos(), deadline);
        if (scheduled != null && !scheduled.isDone()) {
            if (scheduledAtNanos <= at) {
                if (at - scheduledAtNanos < options.quietPeriod().toNanos() / 4)
                    return; // close enough: spare a reschedule
            }
            scheduled.cancel(false);
        }
        scheduledAtNanos = at;
        scheduled = thread.schedule(this::flushSafely, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    }

    private synchronized void schedule(Duration delay) {
        if (scheduled != null && !scheduled.isDone()) scheduled.cancel(false);
        scheduledAtNanos = System.nanoTime() + delay.toNanos();
        scheduled = thread.schedule(this::flushSafely, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            // Never let the feed thread die: report, keep the last state, try again later.
            problem = "assembling the mesh state failed: " + e;
            LOG.error("assembling the mesh state failed; the dataplane keeps its last state", e);
            retryLater();
        }
    }

    private void flush() {
        long started;
        synchronized (this) {
            started = batchStartNanos == 0 ? System.nanoTime() : batchStartNanos;
            batchStartNanos = 0;
        }
        if (!cache.synced()) {
            schedule(Duration.ofMillis(100)); // changes stay pending until every cache is listed
            return;
        }
        if (!syncReported) {
            syncReported = true;
            for (FeedListener l : listeners) {
                try {
                    l.synced();
                } catch (RuntimeException e) {
                    LOG.warn("feed listener failed", e);
                }
            }
        }
        PendingChanges.Batch batch = pending.drain();
        StateAssembler.Assembly assembly = assembler.assemble(batch);
        MeshState candidate = assembly.state();

        Instant lastError = cache.lastErrorTime();
        boolean errorSinceApply = lastError != null && (lastApplied == null || lastError.isAfter(lastApplied));
        String hold = DeletionGuard.check(dataplane.state(), candidate, errorSinceApply);
        if (hold != null) {
            notApplied(hold);
            writeStatuses(assembly, false);
            retryLater();
            return;
        }
        List<String> out = new ArrayList<>();
        for (int round = 0; ; round++) {
            if (candidate.equals(dataplane.state())) {
                succeeded(candidate, null, started, out);
                break;
            }
            try {
                ApplyResult result = dataplane.apply(candidate);
                succeeded(candidate, result, started, out);
                break;
            } catch (InvalidStateException e) {
                MeshState next = round < MAX_QUARANTINE_ROUNDS
                        ? Quarantine.without(
                                candidate,
                                e.violations(),
                                assembler.lastGoodPolicies(),
                                assembler.lastGoodRoutes(),
                                assembly.routeOrigins(),
                                assembly.verdicts(),
                                out)
                        : null;
                if (next == null) {
                    notApplied("the cluster's state was rejected: "
                            + e.violations().stream()
                                    .limit(10)
                                    .map(Violation::toString)
                                    .collect(Collectors.joining("; ")));
                    writeStatuses(assembly, false);
                    return;
                }
                candidate = next;
            } catch (RuntimeException e) {
                notApplied("the " + dataplane.name() + " backend failed to apply (it rolled back; retrying in "
                        + backoff.toMillis() + " ms): " + e.getMessage());
                writeStatuses(assembly, false);
                retryLater();
                return;
            }
        }
        writeStatuses(assembly, true);
        publishWireguardKey();
    }

    private void succeeded(MeshState applied, ApplyResult result, long startedNanos, List<String> out) {
        assembler.committed(applied);
        problem = null;
        leftOut = List.copyOf(out);
        backoff = options.retryBackoff();
        appliedOnce = true;
        lastApplied = Instant.now();
        if (result == null || result.unchanged()) return;
        applies++;
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        LOG.debug(
                "applied generation {} ({} changes) in {} ms",
                result.generation(),
                result.changes().size(),
                took.toMillis());
        for (FeedListener l : listeners) {
            try {
                l.applied(applied, result, took);
            } catch (RuntimeException e) {
                LOG.warn("feed listener failed", e);
            }
        }
    }

    private void notApplied(String reason) {
        problem = reason;
        LOG.warn("{}; the dataplane keeps its last state", reason);
        for (FeedListener l : listeners) {
            try {
                l.notApplied(reason);
            } catch (RuntimeException e) {
                LOG.warn("feed listener failed", e);
            }
        }
    }

    private void retryLater() {
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        schedule(wait);
    }

    /** Whether this agent writes statuses now: it is the elected writer, or there is no election. */
    public boolean writesStatus() {
        return options.writeStatus() && (statusLeader == null || statusLeader.leading());
    }

    /**
     * Accepted conditions are written only for what was applied; rejections are written either way. Only by the
     * elected writer: a newly elected one is scheduled a pass at once, which writes what it finds different.
     */
    private void writeStatuses(StateAssembler.Assembly assembly, boolean applied) {
        if (!writesStatus()) return;
        var verdicts = assembly.verdicts().all().stream()
                .filter(v -> applied || !v.accepted())
                .toList();
        statusWriter.write(verdicts);
    }

    private void publishWireguardKey() {
        String node = options.nodeName();
        String key = options.wireguardPublicKey();
        if (node.isEmpty() || key.isEmpty()) return;
        var own = cache.nodes().stream()
                .filter(n -> n.getMetadata().getName().equals(node))
                .findFirst()
                .orElse(null);
        if (own == null) return;
        var annotations = own.getMetadata().getAnnotations();
        if (annotations != null && key.equals(annotations.get(FeedOptions.WIREGUARD_KEY_ANNOTATION))) return;
        try {
            client.nodes().withName(node).edit(n -> {
                n.getMetadata()
                        .setAnnotations(
                                n.getMetadata().getAnnotations() == null
                                        ? new java.util.HashMap<>()
                                        : new java.util.HashMap<>(
                                                n.getMetadata().getAnnotations()));
                n.getMetadata().getAnnotations().put(FeedOptions.WIREGUARD_KEY_ANNOTATION, key);
                return n;
            });
            LOG.info("published this node's WireGuard public key on node {}", node);
        } catch (KubernetesClientException e) {
            problem = "could not publish the WireGuard key on node " + node + ": " + e.getMessage();
        }
    }

    @Override
    public void close() {
        if (statusLeader != null) statusLeader.close();
        thread.shutdownNow();
        cache.close();
    }
}
