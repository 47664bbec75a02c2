package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.state.MeshState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The feed's health as the agent serves it on /readyz: ready once it applied, "not watching" through an API outage
 * while the last state keeps serving, ready again after. (mesh-agent's tests serve the same over HTTP.)
 */
class FeedHealthTest {
    @Test
    void healthFollowsTheApiServerThroughAnOutage() throws Exception {
        try (MockApiServer api = new MockApiServer()) {
            Cluster cluster = new Cluster(api.client());
            cluster.node("node-a", "192.168.40.1", "10.4.1.0/24");
            cluster.pod("shop", "api-1", "node-a", "10.4.1.6", "api", Map.of("app", "api"));
            cluster.service("shop", "api", "10.96.4.10", 80, 8080);
            cluster.slice("shop", "api", "api-1", 8080, List.of(Ep.ready("10.4.1.6", "api-1")));
            RecordingDataplane dataplane = new RecordingDataplane();
            AtomicInteger applied = new AtomicInteger();
            FeedListener counting = new FeedListener() {
                @Override
                public void applied(MeshState state, ApplyResult result, Duration took) {
                    applied.incrementAndGet();
                }
            };
            try (KubernetesFeed feed = KubernetesFeed.start(
                    api.newClient(), dataplane, FeedOptions.forNode("node-a"), List.of(counting))) {
                Eventually.until("ready", () -> feed.health().problems().isEmpty());
                assertThat(applied).hasValue(1);
                assertThat(dataplane.state().services()).hasSize(1);

                api.outage(true);
                try {
                    Eventually.until(
                            "not ready", () -> !feed.health().problems().isEmpty());
                    assertThat(String.join("\n", feed.health().problems())).contains("not watching");
                    assertThat(dataplane.state().services()).hasSize(1);
                } finally {
                    api.outage(false);
                }
                Eventually.until(
                        "ready again",
                        () -> feed.health().problems().isEmpty(),
                        () -> feed.health().toString());
            }
        }
    }
}
