package io.nodemesh.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.kubernetes.internal.FeedLoop;
import java.time.Duration;
import java.util.List;

/**
 * Feeds a {@link MeshDataplane} from a Kubernetes API server: informers on Nodes, Pods, Services, EndpointSlices,
 * nodemesh's resources and Gateway API HTTPRoutes and GRPCRoutes attached to Services (optional: off, with one log
 * line, where the API server does not serve them), translated into one cluster-wide {@link io.nodemesh.api.state.MeshState} and applied
 * incrementally, a burst of changes at a time.
 * <pre>{@code
 * try (var client = new KubernetesClientBuilder().build();
 *      var dp = Dataplanes.open("ebpf", DataplaneOptions.forNode(node));
 *      var feed = KubernetesFeed.start(client, dp, FeedOptions.forNode(node))) {
 *     ...
 * }
 * }</pre>
 * Faults: an invalid MeshPolicy, MeshHttpRoute, HTTPRoute or GRPCRoute is not applied (its last good version keeps serving) and its status
 * says why; an unreachable API server or an expired watch leaves the dataplane on its last state while the informers
 * relist with backoff, and {@link #health()} says what is wrong.
 */
public final class KubernetesFeed implements AutoCloseable {
    private final FeedLoop loop;
    private final MeshDataplane dataplane;

    private KubernetesFeed(FeedLoop loop, MeshDataplane dataplane) {
        this.loop = loop;
        this.dataplane = dataplane;
    }

    /** Starts watching and applying; returns at once (see {@link #health()} for progress). */
    public static KubernetesFeed start(KubernetesClient client, MeshDataplane dataplane, FeedOptions options) {
        return start(client, dataplane, options, List.of());
    }

    /** Starts with {@code listeners} in place, so they hear the first sync and apply too. */
    public static KubernetesFeed start(
            KubernetesClient client, MeshDataplane dataplane, FeedOptions options, List<FeedListener> listeners) {
        FeedLoop loop = new FeedLoop(client, dataplane, options);
        listeners.forEach(loop::addListener);
        loop.start();
        return new KubernetesFeed(loop, dataplane);
    }

    /** Registers a listener before or after start. */
    public KubernetesFeed addListener(FeedListener listener) {
        loop.addListener(listener);
        return this;
    }

    public FeedHealth health() {
        return loop.health();
    }

    /**
     * Whether this agent writes the status of nodemesh's resources now: it holds the status-writer lease (see
     * {@link StatusElection}), or the election is off.
     */
    public boolean writesStatus() {
        return loop.writesStatus();
    }

    public MeshDataplane dataplane() {
        return dataplane;
    }

    /** Waits until {@link #health()} is ready or {@code timeout} passes; returns whether it is ready. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!health().ready()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    /** Stops watching. The dataplane is the caller's: it is not closed and keeps serving what was applied. */
    @Override
    public void close() {
        loop.close();
    }
}
