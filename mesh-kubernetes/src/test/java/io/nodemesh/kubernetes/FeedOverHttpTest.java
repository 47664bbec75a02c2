package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.kubernetes.agent.AgentMetrics;
import io.nodemesh.kubernetes.agent.AgentServer;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kubernetes-fed agent as an operator sees it: /readyz and /metrics follow the feed through an API outage. */
class FeedOverHttpTest {
    @Test
    void readinessAndMetricsFollowTheFeed() throws Exception {
        try (MockApiServer api = new MockApiServer()) {
            Cluster cluster = new Cluster(api.client());
            cluster.node("node-a", "192.168.40.1", "10.4.1.0/24");
            cluster.pod("shop", "api-1", "node-a", "10.4.1.6", "api", Map.of("app", "api"));
            cluster.service("shop", "api", "10.96.4.10", 80, 8080);
            cluster.slice("shop", "api", "api-1", 8080, List.of(Ep.ready("10.4.1.6", "api-1")));
            RecordingDataplane dataplane = new RecordingDataplane();
            try (AgentMetrics metrics = new AgentMetrics(dataplane);
                    KubernetesFeed feed = KubernetesFeed.start(
                            api.newClient(), dataplane, FeedOptions.forNode("node-a"), List.of(metrics));
                    AgentServer server = AgentServer.start(
                            new InetSocketAddress("127.0.0.1", 0),
                            () -> feed.health().problems(),
                            metrics,
                            dataplane.flows())) {
                String base = "http://127.0.0.1:" + server.port();
                Eventually.until("ready over HTTP", () -> get(base + "/readyz").startsWith("200"));
                assertThat(get(base + "/metrics"))
                        .contains("nodemesh_applies_total 1.0")
                        .contains("nodemesh_state_objects{kind=\"service\"} 1.0")
                        .contains("nodemesh_state_endpoints 1.0");

                api.outage(true);
                try {
                    Eventually.until(
                            "not ready over HTTP", () -> get(base + "/readyz").startsWith("503"));
                    assertThat(get(base + "/readyz")).contains("not watching");
                    assertThat(get(base + "/metrics")).contains("nodemesh_state_objects{kind=\"service\"} 1.0");
                } finally {
                    api.outage(false);
                }
                Eventually.until(
                        "ready again",
                        () -> get(base + "/readyz").startsWith("200"),
                        () -> feed.health().toString());
            }
        }
    }

    private static String get(String url) {
        try {
            var c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            int code = c.getResponseCode();
            try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                return code + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                c.disconnect();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
