package io.nodemesh.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.nodemesh.agent.http.AgentMetrics;
import io.nodemesh.agent.http.ReadinessCheck;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.kubernetes.FeedListener;
import io.nodemesh.kubernetes.FeedOptions;
import io.nodemesh.kubernetes.KubernetesFeed;
import io.nodemesh.kubernetes.StatusElection;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code --source kubernetes}: the agent follows the API server through a {@link KubernetesFeed}. The only class of the
 * agent that touches fabric8 (an optional dependency), so a file-fed agent runs without it: {@link #missing()} says so
 * before anything here is loaded.
 */
final class KubernetesSource implements AutoCloseable {
    private final KubernetesClient client;
    private final KubernetesFeed feed;

    private KubernetesSource(KubernetesClient client, KubernetesFeed feed) {
        this.client = client;
        this.feed = feed;
    }

    /** Why this source cannot run in this JVM, if it cannot: mesh-kubernetes is not on the class or module path. */
    static Optional<String> missing() {
        ModuleLayer layer = KubernetesSource.class.getModule().getLayer();
        boolean present = layer != null
                ? layer.findModule("io.nodemesh.kubernetes").isPresent()
                : resolves("io.nodemesh.kubernetes.KubernetesFeed");
        return present
                ? Optional.empty()
                : Optional.of(
                        "--source kubernetes needs nodemesh's mesh-kubernetes module (io.nodemesh:mesh-kubernetes)"
                                + " and fabric8 on the class or module path; this agent was started without them");
    }

    private static boolean resolves(String className) {
        try {
            Class.forName(className, false, KubernetesSource.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Connects with the in-cluster configuration or KUBECONFIG and starts the feed. The informers retry with their own
     * backoff, so the client's per-request retries are cut short: an unreachable API server shows on /readyz at once,
     * not after a minute.
     */
    static KubernetesSource start(
            String nodeName,
            MeshDataplane dataplane,
            AgentMetrics metrics,
            Optional<String> wireguardPublicKey,
            String statusLease) {
        Config config = new ConfigBuilder(Config.autoConfigure(null))
                .withRequestRetryBackoffLimit(1)
                .build();
        KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build();
        FeedOptions options = FeedOptions.forNode(nodeName);
        if (wireguardPublicKey.isPresent()) options = options.withWireguardPublicKey(wireguardPublicKey.get());
        if (statusLease != null) options = options.withStatusElection(statusElection(statusLease));
        try {
            KubernetesFeed feed = KubernetesFeed.start(client, dataplane, options);
            feed.addListener(new FeedListener() {
                @Override
                public void applied(MeshState state, ApplyResult result, Duration took) {
                    metrics.recordApply(result, took);
                }

                @Override
                public void notApplied(String reason) {
                    metrics.recordNotApplied(reason);
                }
            });
            return new KubernetesSource(client, feed);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** {@code none}, {@code name} or {@code namespace/name}. */
    static StatusElection statusElection(String lease) {
        if (lease.equals("none")) return StatusElection.OFF;
        int slash = lease.indexOf('/');
        return slash < 0
                ? StatusElection.DEFAULT.withLease("", lease)
                : StatusElection.DEFAULT.withLease(lease.substring(0, slash), lease.substring(slash + 1));
    }

    ReadinessCheck readiness() {
        return () -> feed.health().problems();
    }

    String describe(String nodeName) {
        return "following the API server at " + client.getMasterUrl() + " as node " + nodeName;
    }

    @Override
    public void close() {
        try {
            feed.close();
        } finally {
            client.close();
        }
    }
}
