package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two agents, one status writer: only the holder of the Lease writes statuses while both apply; when it stops — cleanly
 * (it hands the lease back) or by losing the API server (its lease runs out) — the other writes the next status.
 * Each agent's client has its own user agent, so the mock API server tells whose status writes it received.
 */
class StatusElectionTest {
    static final StatusElection SHORT =
            StatusElection.DEFAULT.withDurations(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250));

    MockApiServer api;
    Cluster cluster;
    final List<Agent> agents = new ArrayList<>();

    record Agent(String node, KubernetesClient client, RecordingDataplane dataplane, KubernetesFeed feed) {
        String userAgent() {
            return "agent-" + node;
        }
    }

    @BeforeEach
    void cluster() throws Exception {
        api = new MockApiServer();
        cluster = new Cluster(api.client());
        cluster.node("node-a", "192.168.10.1", "10.1.1.0/24");
        cluster.node("node-b", "192.168.10.2", "10.1.2.0/24");
        cluster.pod("shop", "api-1", "node-a", "10.1.1.6", "api", Map.of("app", "api"));
        cluster.service("shop", "api", "10.96.0.10", 80, 8080);
        cluster.slice("shop", "api", "api-abc", 8080, List.of(Ep.ready("10.1.1.6", "api-1")));
        for (String node : List.of("node-a", "node-b")) {
            KubernetesClient client = api.newClient("agent-" + node);
            RecordingDataplane dp = new RecordingDataplane();
            KubernetesFeed feed =
                    KubernetesFeed.start(client, dp, FeedOptions.forNode(node).withStatusElection(SHORT));
            agents.add(new Agent(node, client, dp, feed));
        }
        for (Agent a : agents)
            assertThat(a.feed().awaitReady(Eventually.TIMEOUT))
                    .as("%s ready: %s", a.node(), a.feed().health())
                    .isTrue();
    }

    @AfterEach
    void stop() {
        for (Agent a : agents) {
            a.feed().close();
            a.client().close();
        }
        api.close();
    }

    /** Waits for one agent to hold the lease and say it writes; returns it. */
    Agent leader() {
        Eventually.until(
                "one status writer",
                () -> agents.stream().filter(a -> a.feed().writesStatus()).count() == 1,
                () -> "writers: "
                        + agents.stream()
                                .filter(a -> a.feed().writesStatus())
                                .map(Agent::node)
                                .toList());
        Agent leader =
                agents.stream().filter(a -> a.feed().writesStatus()).findFirst().orElseThrow();
        Lease lease = api.client()
                .resources(Lease.class)
                .inNamespace(api.client().getNamespace())
                .withName(StatusElection.DEFAULT.leaseName())
                .get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader.node());
        return leader;
    }

    Agent other(Agent a) {
        return agents.stream().filter(x -> x != a).findFirst().orElseThrow();
    }

    void awaitMessage(String contains) {
        Eventually.until(
                "a condition saying " + contains,
                () -> {
                    var c = cluster.accepted(Cluster.POLICY, "shop", "p");
                    return c != null && String.valueOf(c.get("message")).contains(contains);
                },
                () -> String.valueOf(cluster.accepted(Cluster.POLICY, "shop", "p")));
    }

    /** Statuses written while only {@code leader} may write: a bad policy, its fix, another bad edit. */
    void onlyTheLeaderWrites(Agent leader) {
        cluster.policy("shop", "p", Map.of("action", "deny", "services", List.of("nope")));
        awaitMessage("unknown service 'shop/nope'");
        cluster.replace(Cluster.POLICY, "shop", "p", Map.of("action", "deny", "services", List.of("api")));
        awaitMessage("applied");
        // Both agents apply, not only the writer.
        for (Agent a : agents)
            Eventually.until(
                    a.node() + " applies the policy",
                    () -> a.dataplane().state().policies().size() == 1);
        cluster.replace(Cluster.POLICY, "shop", "p", Map.of("action", "deny", "services", List.of("gone")));
        awaitMessage("unknown service 'shop/gone'");
        assertThat(api.statusWriters()).isNotEmpty().containsOnly(leader.userAgent());
        assertThat(other(leader).feed().writesStatus()).isFalse();
    }

    @Test
    void onlyTheElectedAgentWritesAndTheOtherTakesOverWhenItsLeaseRunsOut() throws Exception {
        Agent leader = leader();
        onlyTheLeaderWrites(leader);

        // The leader loses the API server: it can neither renew nor hand the lease back, so the lease has to run out.
        leader.client().close();
        leader.feed().close();
        Agent next = other(leader);
        int before = api.statusWriters().size();
        cluster.replace(Cluster.POLICY, "shop", "p", Map.of("action", "deny", "services", List.of("later")));
        awaitMessage("unknown service 'shop/later'");
        assertThat(next.feed().writesStatus()).isTrue();
        assertThat(api.statusWriters().subList(before, api.statusWriters().size()))
                .isNotEmpty()
                .containsOnly(next.userAgent());
    }

    @Test
    void aCleanStopHandsTheLeaseOver() throws Exception {
        Agent leader = leader();
        onlyTheLeaderWrites(leader);

        leader.feed().close(); // releases the lease: the other need not wait for it to run out
        Agent next = other(leader);
        Eventually.until("the other agent elected", () -> next.feed().writesStatus());
        Lease lease = api.client()
                .resources(Lease.class)
                .inNamespace(api.client().getNamespace())
                .withName(StatusElection.DEFAULT.leaseName())
                .get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(next.node());
        int before = api.statusWriters().size();
        cluster.replace(Cluster.POLICY, "shop", "p", Map.of("action", "deny", "services", List.of("later")));
        awaitMessage("unknown service 'shop/later'");
        assertThat(api.statusWriters().subList(before, api.statusWriters().size()))
                .isNotEmpty()
                .containsOnly(next.userAgent());
    }
}
