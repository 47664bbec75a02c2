package io.nodemesh.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.spi.FlowHub;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The agent's HTTP endpoints over a real socket: health, readiness with reasons, Prometheus text, and the SSE flow stream. */
class AgentServerTest {
    final FlowHub hub = new FlowHub();
    final MeshDataplane dataplane = new HubDataplane(hub);
    final AgentStatus status = new AgentStatus(
            "node-a",
            "test",
            java.util.Map.of("FLOWS", "test"),
            true,
            List.of(),
            new AgentStatus.StateCounts(0, 0, 0, 0, 0, 0),
            null,
            null,
            0,
            0,
            0,
            List.of());

    @Test
    void servesHealthReadinessMetricsAndAFlowStream() throws Exception {
        AtomicReference<List<String>> problems =
                new AtomicReference<>(List.of("services: not watching (last error: 410)"));
        try (AgentMetrics metrics = new AgentMetrics(dataplane);
                AgentServer server = AgentServer.start(
                        new InetSocketAddress("127.0.0.1", 0), problems::get, metrics, hub, () -> status)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(base + "/healthz")).isEqualTo("200 ok\n");
            assertThat(get(base + "/readyz")).isEqualTo("503 not ready:\nservices: not watching (last error: 410)\n");
            problems.set(List.of());
            assertThat(get(base + "/readyz")).isEqualTo("200 ready\n");

            metrics.recordApply(new ApplyResult(7, List.of()), Duration.ofMillis(12));
            metrics.recordNotApplied("m.yaml: no such service");
            var c = (HttpURLConnection) URI.create(base + "/flows").toURL().openConnection();
            assertThat(c.getHeaderField("Content-Type")).isEqualTo("text/event-stream");
            try (var reader = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(reader.readLine()).isEqualTo(": nodemesh flows"); // the server subscribed before this line
                hub.publish(event(Verdict.FORWARDED, "shop/web-\"1\""));
                hub.publish(event(Verdict.DROPPED_POLICY, "shop/web-2"));
                List<String> data = new ArrayList<>();
                String line;
                while (data.size() < 2 && (line = reader.readLine()) != null) {
                    if (line.startsWith("data: ")) data.add(line.substring(6));
                }
                assertThat(data.get(0))
                        .contains("\"verdict\":\"FORWARDED\"")
                        .contains("\"workload\":\"shop/web-\\\"1\\\"\"")
                        .contains("\"service\":\"shop/api\"")
                        .contains("\"path\":\"SOCKET_REDIRECT\"");
                assertThat(data.get(1))
                        .contains("\"verdict\":\"DROPPED_POLICY\"")
                        .contains("\"backend\":null");
            } finally {
                c.disconnect();
            }
            assertThat(get(base + "/status"))
                    .startsWith("200 {")
                    .contains("\"node\" : \"node-a\"")
                    .contains("\"FLOWS\" : \"test\"");
            String text = get(base + "/metrics");
            assertThat(text)
                    .contains("nodemesh_applies_total 1.0")
                    .contains("nodemesh_apply_failures_total 1.0")
                    .contains("nodemesh_flows_total{verdict=\"forwarded\"} 1.0")
                    .contains("nodemesh_flows_total{verdict=\"dropped_policy\"} 1.0")
                    .contains("nodemesh_apply_latency_seconds_count 1");
        }
    }

    private static FlowEvent event(Verdict verdict, String workload) {
        FlowPeer source = new FlowPeer("10.1.0.5", 40000, workload, "spiffe://cluster.local/ns/shop/sa/web");
        FlowPeer vip = new FlowPeer("10.96.0.10", 80, "", "");
        FlowPeer backend = verdict == Verdict.FORWARDED
                ? new FlowPeer("10.1.0.6", 8080, "shop/api-1", "spiffe://cluster.local/ns/shop/sa/api")
                : null;
        return new FlowEvent(
                Instant.parse("2026-11-25T18:00:00Z"),
                "node-a",
                FlowEvent.Type.CONNECT,
                source,
                vip,
                "shop/api",
                backend,
                verdict,
                verdict == Verdict.FORWARDED ? FlowPath.SOCKET_REDIRECT : FlowPath.NONE,
                0);
    }

    private static String get(String url) throws Exception {
        var c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            return code + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
