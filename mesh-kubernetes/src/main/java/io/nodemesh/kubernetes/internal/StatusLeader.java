package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.nodemesh.kubernetes.StatusElection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this agent is the one that writes statuses: a candidate in fabric8's leader election on a Lease, for as
 * long as the feed runs. fabric8's elector ends when leadership is lost (a renewal missed its deadline); this stands
 * for election again, so an agent that lost the lease (say, a partition) becomes a candidate once more.
 */
final class StatusLeader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusLeader.class);

    private final KubernetesClient client;
    private final StatusElection election;
    private final String identity;
    private final Runnable onElected;
    private final ExecutorService executor;
    private volatile boolean leading;
    private volatile boolean closed;
    private CompletableFuture<?> running; // guarded by this

    /** {@code onElected} runs each time this agent becomes the writer, so it can catch up on what it did not write. */
    StatusLeader(KubernetesClient client, StatusElection election, String identity, Runnable onElected) {
        this.client = client;
        this.election = election;
        this.identity = identity;
        this.onElected = onElected;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nodemesh-status-election");
            t.setDaemon(true);
            return t;
        });
    }

    /** The Lease's namespace: the configured one, else the client's (the pod's own in a cluster), else the fallback. */
    static String namespace(StatusElection election, KubernetesClient client) {
        if (!election.leaseNamespace().isEmpty()) return election.leaseNamespace();
        String ns = client.getNamespace();
        return ns == null || ns.isEmpty() ? StatusElection.FALLBACK_NAMESPACE : ns;
    }

    synchronized void start() {
        if (closed) return;
        String namespace = namespace(election, client);
        var config = new LeaderElectionConfigBuilder()
                .withName("nodemesh status writer")
                .withLock(new LeaseLock(namespace, election.leaseName(), identity))
                .withLeaseDuration(election.leaseDuration())
                .withRenewDeadline(election.renewDeadline())
                .withRetryPeriod(election.retryPeriod())
                .withReleaseOnCancel(true) // a clean stop hands the lease over at once instead of after leaseDuration
                .withLeaderCallbacks(new LeaderCallbacks(this::elected, this::deposed, this::newLeader))
                .build();
        running = new LeaderElectorBuilder(client, executor)
                .withConfig(config)
                .build()
                .start();
        running.whenComplete((ok, failure) -> {
            leading = false;
            if (closed) return;
            if (failure != null && !(failure instanceof java.util.concurrent.CancellationException)) {
                LOG.warn(
                        "status election on lease {}/{} failed: {}; standing again",
                        namespace,
                        election.leaseName(),
                        failure.toString());
            }
            // Lost (or never won) the lease: stand again after a pause, as a candidate among the others.
            CompletableFuture.delayedExecutor(election.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                    .execute(this::start);
        });
    }

    boolean leading() {
        return leading;
    }

    private void elected() {
        leading = true;
        LOG.info("{} now writes the status of nodemesh's resources", identity);
        onElected.run();
    }

    private void deposed() {
        leading = false;
        if (!closed) LOG.info("{} no longer writes statuses (its lease was not renewed in time)", identity);
    }

    private void newLeader(String holder) {
        LOG.debug("status writer is now {}", holder);
    }

    @Override
    public void close() {
        CompletableFuture<?> r;
        synchronized (this) {
            closed = true;
            r = running;
        }
        leading = false;
        if (r != null) r.cancel(true); // releases the lease when held
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS); // let the release go out before the client closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
