package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nodemesh agent --source file --backend sim}: a person's session with the agent. Writes a state file, starts
 * the agent, edits the file well and badly, and checks what it applied and reported over stdout and HTTP.
 */
class AgentCommandFileSourceTest {
    static final String NODES = """
            nodes:
              - {name: node-a, addresses: [192.168.0.1], podCidrs: [10.1.0.0/24]}
            workloads:
              - {namespace: shop, name: web-1, node: node-a, ips: [10.1.0.10], identity: "spiffe://cluster.local/ns/shop/sa/web", labels: {app: web}}
              - {namespace: shop, name: api-1, node: node-a, ips: [10.1.0.20], identity: "spiffe://cluster.local/ns/shop/sa/api", labels: {app: api}}
            """;
    static final String ONE_SERVICE = NODES + """
            services:
              - {namespace: shop, name: api, vips: [10.96.0.10], ports: [{port: 80, targetPort: 8080}], selector: {app: api}}
            """;
    static final String TWO_SERVICES = ONE_SERVICE + """
              - {namespace: shop, name: web, vips: [10.96.0.11], ports: [{port: 80, targetPort: 8080}], selector: {app: web}}
            """;
    static final String INVALID = NODES + """
            services:
              - {namespace: shop, name: api, vips: [10.96.0.10], ports: [{port: 0, targetPort: 8080}], selector: {app: api}}
              - {namespace: shop, name: web, vips: [10.96.0.10], ports: [{port: 80, targetPort: 8080}], selector: {app: web}}
            """;
    static final String UNPARSEABLE = "nodes: [ {name: node-a\n";

    @TempDir
    Path dir;

    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    AgentCommand agent;
    Thread thread;
    final AtomicInteger exit = new AtomicInteger(-1);

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) agent.stop();
        if (thread != null) thread.join(10_000);
    }

    @Test
    void appliesTheFileFollowsGoodEditsAndKeepsServingThroughBadOnes() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, ONE_SERVICE);
        startOnSim(state);

        await("ready", () -> get("/readyz").statusCode() == 200);
        assertThat(get("/healthz").body()).isEqualTo("ok\n");
        assertThat(metric("nodemesh_state_objects{kind=\"service\"}")).isEqualTo(1.0);
        assertThat(out()).contains("applied mesh.yaml (generation 1)");

        Files.writeString(state, TWO_SERVICES);
        await("the second service", () -> metric("nodemesh_state_objects{kind=\"service\"}") == 2.0);
        assertThat(metric("nodemesh_applies_total")).isEqualTo(2.0);

        // A bad edit: every violation is reported, readiness says so, the two services keep serving.
        Files.writeString(state, INVALID);
        await("the rejection", () -> out().contains("NOT applied"));
        assertThat(out())
                .contains("services[shop/api].ports[0].port")
                .contains("is outside 1..65535")
                .contains("services[shop/web].vips[0]")
                .contains("already a VIP of service shop/api");
        var ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("services[shop/api].ports[0].port");
        assertThat(metric("nodemesh_state_objects{kind=\"service\"}")).isEqualTo(2.0);
        assertThat(metric("nodemesh_apply_failures_total")).isGreaterThanOrEqualTo(1.0);

        // A file that does not even parse: reported with where it broke.
        int before = out().split("NOT applied").length;
        Files.writeString(state, UNPARSEABLE);
        await("the parse error", () -> out().split("NOT applied").length > before);
        assertThat(out()).contains("mesh.yaml:");
        assertThat(metric("nodemesh_state_objects{kind=\"service\"}")).isEqualTo(2.0);

        // Fixed: applied again, ready again.
        Files.writeString(state, ONE_SERVICE);
        await("ready again", () -> get("/readyz").statusCode() == 200);
        assertThat(metric("nodemesh_state_objects{kind=\"service\"}")).isEqualTo(1.0);

        agent.stop();
        thread.join(10_000);
        assertThat(exit.get()).isZero();
        assertThat(out()).contains("capabilities: ").contains("sim: stopped").endsWith("stopped\n");
    }

    @Test
    void appliesAnEditWhileAFileBesideItChangesAllTheTime() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, ONE_SERVICE);
        startOnSim(state);
        await("ready", () -> get("/readyz").statusCode() == 200);

        // A log in the same directory, written every few milliseconds, as a flow log under traffic is.
        Path log = dir.resolve("agent.log");
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Files.writeString(log, "flow\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Thread.sleep(3);
                }
            } catch (IOException | InterruptedException e) {
                // stopped
            }
        });
        try {
            Files.writeString(state, TWO_SERVICES);
            await("the second service", () -> metric("nodemesh_state_objects{kind=\"service\"}") == 2.0);
        } finally {
            writer.interrupt();
            writer.join(5_000);
        }
    }

    @Test
    void badCommandLinesAreRefusedWithExitCode2() {
        assertThat(new CommandLine(new AgentCommand()).execute("--source", "file"))
                .isEqualTo(2);
        assertThat(new CommandLine(new AgentCommand())
                        .execute(
                                "--source",
                                "file",
                                "--state",
                                dir.resolve("missing.yaml").toString()))
                .isEqualTo(2);
        assertThat(new CommandLine(new AgentCommand()).execute("--source", "carrier-pigeon"))
                .isEqualTo(2);
        assertThat(AgentCommand.parseListen("127.0.0.1:0").getPort()).isZero();
    }

    /** The file-fed agent on the simulator, for node-a, on a free port. */
    private void startOnSim(Path state) {
        start(
                "--source",
                "file",
                "--state",
                state.toString(),
                "--backend",
                "sim",
                "--node",
                "node-a",
                "--listen",
                "127.0.0.1:0");
    }

    private void start(String... args) {
        agent = new AgentCommand();
        agent.out = new PrintStream(output, true, StandardCharsets.UTF_8);
        thread = Thread.ofPlatform().start(() -> exit.set(new CommandLine(agent).execute(args)));
        await("the agent's HTTP port", () -> agent.port() != 0);
    }

    private String out() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /** A response, as far as these tests look at one. */
    record Response(int statusCode, String body) {}

    private Response get(String path) {
        try {
            var c = (HttpURLConnection) URI.create("http://127.0.0.1:" + agent.port() + path)
                    .toURL()
                    .openConnection();
            int code = c.getResponseCode();
            try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new Response(code, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private double metric(String name) {
        return get("/metrics")
                .body()
                .lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(Double.NaN);
    }

    /** Waits for the agent (the bound only ends a failing test; nothing is timed). */
    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out waiting for " + what + "; output:\n" + out());
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
