package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.agent.http.AgentMetrics;
import io.nodemesh.agent.http.AgentServer;
import io.nodemesh.agent.http.AgentStatus;
import io.nodemesh.agent.http.HubDataplane;
import io.nodemesh.agent.http.StatusJson;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.spi.FlowHub;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nodemesh status} and {@code nodemesh flows} against a running agent over HTTP, and the one-line errors an
 * operator gets for the usual mistakes (no agent there, port in use, bad filter).
 */
class OperatorCommandsTest {
    @TempDir
    Path dir;

    @Test
    void statusShowsWhatTheAgentAppliedInTextAndJson() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, AgentCommandFileSourceTest.ONE_SERVICE);
        try (AgentRun run = AgentRun.start(
                "--state", state.toString(), "--backend", "sim", "--node", "node-a", "--listen", "127.0.0.1:0")) {
            run.await("the first apply", () -> run.out().contains("applied mesh.yaml"));
            String agent = "127.0.0.1:" + run.agent.port();

            Output text = status("--agent", agent);
            assertThat(text.exit()).as(text.err()).isZero();
            assertThat(text.out())
                    .contains("node        node-a")
                    .contains("ready       yes")
                    .contains("1 services, 0 endpoints, 2 workloads, 1 nodes") // endpoints listed, not selected
                    .contains("last apply  generation 1")
                    .contains("backend sim  healthy");

            Output json = status("--agent", agent, "--output", "json");
            AgentStatus parsed = StatusJson.read(json.out());
            assertThat(parsed.node()).isEqualTo("node-a");
            assertThat(parsed.lastApply().generation()).isEqualTo(1);
            assertThat(parsed.state().services()).isEqualTo(1);
            assertThat(parsed.capabilities()).isNotEmpty();
            assertThat(parsed.backends())
                    .singleElement()
                    .satisfies(b -> assertThat(b.backend()).isEqualTo("sim"));
            assertThat(parsed.healthy()).isTrue();

            Files.writeString(state, AgentCommandFileSourceTest.INVALID);
            run.await("the refusal", () -> run.out().contains("NOT applied"));
            AgentStatus refused =
                    StatusJson.read(status("--agent", agent, "-o", "json").out());
            assertThat(refused.lastRefusal()).isNotNull();
            assertThat(refused.lastRefusal().reason()).contains("mesh.yaml");
            assertThat(refused.state().services())
                    .as("the previous state keeps serving")
                    .isEqualTo(1);
        }
    }

    @Test
    void theMetricsListenerServesProbesAndMetricsButNoFlowsOrStatus() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, AgentCommandFileSourceTest.ONE_SERVICE);
        try (AgentRun run = AgentRun.start(
                "--state",
                state.toString(),
                "--backend",
                "sim",
                "--node",
                "node-a",
                "--listen",
                "127.0.0.1:0",
                "--metrics-listen",
                "127.0.0.1:0")) {
            run.await("the metrics listener", () -> run.out().contains("metrics and probes also on"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("also on http://127.0.0.1:(\\d+)/metrics")
                    .matcher(run.out());
            assertThat(m.find()).as(run.out()).isTrue();
            String base = "http://127.0.0.1:" + m.group(1);
            assertThat(code(base + "/metrics")).isEqualTo(200);
            assertThat(code(base + "/healthz")).isEqualTo(200);
            assertThat(code(base + "/status")).isEqualTo(404);
            assertThat(code(base + "/flows")).isEqualTo(404);
            assertThat(code("http://127.0.0.1:" + run.agent.port() + "/status")).isEqualTo(200);
        }
    }

    private static int code(String url) throws Exception {
        var c = (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    @Test
    void aSecondAgentOnTheSamePortSaysSoInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path state = dir.resolve("mesh.yaml");
            Files.writeString(state, AgentCommandFileSourceTest.ONE_SERVICE);
            AgentRun run = AgentRun.refused(
                    "--state",
                    state.toString(),
                    "--backend",
                    "sim",
                    "--node",
                    "node-a",
                    "--listen",
                    "127.0.0.1:" + taken.getLocalPort());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err().strip())
                    .isEqualTo("127.0.0.1:" + taken.getLocalPort()
                            + " is in use (another agent?); pass --listen HOST:PORT, port 0 for any free one");
        }
    }

    @Test
    void noAgentThereIsOneLineNotAStackTrace() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Output status = status("--agent", "127.0.0.1:" + closed);
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err().strip())
                .startsWith("cannot reach the agent at http://127.0.0.1:" + closed + "/ (connection refused)")
                .doesNotContain("Exception");
        Output flows = flows("--agent", "127.0.0.1:" + closed, "--count", "1");
        assertThat(flows.exit()).isEqualTo(1);
        assertThat(flows.err()).contains("cannot reach the agent").doesNotContain("\tat ");
    }

    @Test
    void flowsFollowsTheStreamWithFilters() throws Exception {
        FlowHub hub = new FlowHub();
        try (AgentMetrics metrics = new AgentMetrics(new HubDataplane(hub));
                AgentServer server =
                        AgentServer.start(new InetSocketAddress("127.0.0.1", 0), List::of, metrics, hub, () -> null)) {
            String agent = "127.0.0.1:" + server.port();
            CompletableFuture<Output> denied = CompletableFuture.supplyAsync(
                    () -> flows("--agent", agent, "--verdict", "dropped_policy", "--from", "web-1", "-n", "1"));
            CompletableFuture<Output> toApi = CompletableFuture.supplyAsync(() -> flows(
                    "--agent", agent, "--to", "shop/api-1", "--path", "socket_redirect", "-n", "2", "-o", "json"));
            // Publish until both followers have had what they wait for (each subscribes when it connects).
            while (!(denied.isDone() && toApi.isDone())) {
                hub.publish(event("shop/web-2", Verdict.DROPPED_POLICY)); // matches neither: from web-2
                hub.publish(event("shop/web-1", Verdict.FORWARDED));
                hub.publish(event("shop/web-1", Verdict.DROPPED_POLICY));
                Thread.sleep(20);
            }
            Output d = denied.get();
            assertThat(d.exit()).as(d.err()).isZero();
            assertThat(d.out().lines().toList())
                    .singleElement()
                    .satisfies(line -> assertThat(line).contains("shop/web-1").contains("DROPPED_POLICY"));
            Output j = toApi.get();
            assertThat(j.exit()).as(j.err()).isZero();
            assertThat(j.out().lines().toList())
                    .hasSize(2)
                    .allSatisfy(line -> assertThat(line)
                            .startsWith("{")
                            .contains("\"verdict\":\"FORWARDED\"")
                            .contains("\"workload\":\"shop/api-1\""));
        }
    }

    @Test
    void aBadFilterListsTheValuesAllowed() {
        Output bad = flows("--verdict", "maybe");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("--verdict 'maybe' is not one of [forwarded, ");
    }

    private static FlowEvent event(String source, Verdict verdict) {
        boolean forwarded = verdict == Verdict.FORWARDED;
        return new FlowEvent(
                Instant.parse("2026-12-07T08:00:00Z"),
                "node-a",
                FlowEvent.Type.CONNECT,
                new FlowPeer("10.1.0.10", 40000, source, ""),
                new FlowPeer("10.96.0.10", 80, "", ""),
                "shop/api",
                forwarded ? new FlowPeer("10.1.0.20", 8080, "shop/api-1", "") : null,
                verdict,
                forwarded ? FlowPath.SOCKET_REDIRECT : FlowPath.NONE,
                0);
    }

    record Output(int exit, String out, String err) {}

    static Output status(String... args) {
        StatusCommand command = new StatusCommand();
        return run(command, o -> command.out = o, e -> command.err = e, args);
    }

    static Output flows(String... args) {
        FlowsCommand command = new FlowsCommand();
        return run(command, o -> command.out = o, e -> command.err = e, args);
    }

    private static Output run(
            Object command,
            java.util.function.Consumer<PrintStream> out,
            java.util.function.Consumer<PrintStream> err,
            String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        out.accept(new PrintStream(o, true, StandardCharsets.UTF_8));
        err.accept(new PrintStream(e, true, StandardCharsets.UTF_8));
        int exit = new CommandLine(command).execute(args);
        return new Output(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }
}
