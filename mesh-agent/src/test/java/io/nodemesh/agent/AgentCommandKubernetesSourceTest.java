package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code nodemesh agent --source kubernetes} when the API server cannot be reached: the agent runs, is alive, says on
 * /readyz exactly what it is waiting for, applies nothing, and stops cleanly. (The feed against a working API server is
 * tested in mesh-kubernetes with fabric8's mock server.)
 */
class AgentCommandKubernetesSourceTest {
    static final Map<String, String> CLIENT_PROPERTIES =
            Map.of("kubernetes.auth.tryKubeConfig", "false", "kubernetes.auth.tryServiceAccount", "false");

    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    AgentCommand agent;
    Thread thread;
    final AtomicInteger exit = new AtomicInteger(-1);

    @BeforeEach
    void noClusterConfiguration() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free again once closed: connections to it are refused
        }
        CLIENT_PROPERTIES.forEach(System::setProperty);
        System.setProperty("kubernetes.master", "http://127.0.0.1:" + closedPort);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) agent.stop();
        if (thread != null) thread.join(15_000);
        CLIENT_PROPERTIES.keySet().forEach(System::clearProperty);
        System.clearProperty("kubernetes.master");
    }

    @Test
    void statusLeaseFlagNamesTheLeaseOrTurnsTheElectionOff() {
        assertThat(KubernetesSource.statusElection("none").enabled()).isFalse();
        var named = KubernetesSource.statusElection("writer");
        assertThat(named.enabled()).isTrue();
        assertThat(named.leaseName()).isEqualTo("writer");
        assertThat(named.leaseNamespace()).isEmpty();
        var qualified = KubernetesSource.statusElection("mesh/writer");
        assertThat(qualified.leaseNamespace()).isEqualTo("mesh");
        assertThat(qualified.leaseName()).isEqualTo("writer");
    }

    @Test
    void anUnreachableApiServerIsReportedOnReadyzAndNothingIsApplied() throws Exception {
        agent = new AgentCommand();
        agent.out = new PrintStream(output, true, StandardCharsets.UTF_8);
        thread = Thread.ofPlatform()
                .start(() -> exit.set(new CommandLine(agent)
                        .execute(
                                "--source",
                                "kubernetes",
                                "--backend",
                                "sim",
                                "--node",
                                "node-a",
                                "--listen",
                                "127.0.0.1:0",
                                "--quiet-flows")));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (agent.port() == 0) {
            assertThat(System.nanoTime())
                    .as("the agent's port; output: %s", output)
                    .isLessThan(deadline);
            Thread.sleep(25);
        }
        String base = "http://127.0.0.1:" + agent.port();
        assertThat(get(base + "/healthz")).isEqualTo("200 ok\n");
        String ready = get(base + "/readyz");
        while (!ready.contains("last error")) { // the first failed list gets recorded soon after start
            assertThat(System.nanoTime())
                    .as("a recorded error on /readyz: %s", ready)
                    .isLessThan(deadline);
            Thread.sleep(50);
            ready = get(base + "/readyz");
        }
        assertThat(ready)
                .startsWith("503 not ready:")
                .contains("services: not listed yet")
                .contains("pods: not listed yet")
                .contains("cannot connect to the API server");
        assertThat(get(base + "/metrics"))
                .contains("nodemesh_applies_total 0.0")
                .contains("nodemesh_state_objects{kind=\"service\"} 0.0");
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("following the API server at http://127.0.0.1:");

        agent.stop();
        thread.join(15_000);
        assertThat(exit.get()).isZero();
    }

    private static String get(String url) throws IOException {
        var c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            return code + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
