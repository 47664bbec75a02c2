package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.agent.OperatorCommandsTest.Output;
import io.nodemesh.agent.http.AgentMetrics;
import io.nodemesh.agent.http.AgentServer;
import io.nodemesh.agent.http.AgentStatus;
import io.nodemesh.agent.http.HubDataplane;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each backend's health through {@code /status} and {@code nodemesh status}: the tables, peers and proxies, the
 * problems, and exit code 4 when the agent is ready but a backend needs attention.
 */
class StatusHealthTest {
    static final BackendHealth EBPF = new BackendHealth(
            "ebpf",
            List.of("ebpf map nm_backends is 95% full (950 of 1000 entries); raise its ebpf.max* option"),
            List.of(
                    new BackendHealth.TableFill("nm_backends", 950, 1000, false),
                    new BackendHealth.TableFill("nm_affinity", 10, 65536, true)),
            List.of(),
            List.of());
    static final BackendHealth WIREGUARD = new BackendHealth(
            "wireguard",
            List.of(),
            List.of(),
            List.of(new BackendHealth.TunnelPeer(
                    "node-b",
                    "a2V5",
                    Optional.of("10.0.0.2:51820"),
                    Optional.of(Instant.parse("2026-12-07T10:00:00Z")),
                    1234,
                    5678)),
            List.of());
    static final BackendHealth ENVOY = new BackendHealth(
            "envoy",
            List.of(),
            List.of(),
            List.of(),
            List.of(new BackendHealth.ProxyClient(
                    "node-a", "Cluster", Optional.of("7"), Optional.of("7"), 0, Optional.empty())));

    @Test
    void statusPrintsEveryBackendsHealthAndExitsFourOnAProblem() throws Exception {
        List<AgentStatus.BackendState> backends =
                List.of(EBPF, WIREGUARD, ENVOY).stream().map(BackendStates::of).toList();
        AgentStatus status = new AgentStatus(
                "node-a",
                "ebpf+wireguard+envoy",
                Map.of(),
                true,
                List.of(),
                new AgentStatus.StateCounts(1, 1, 1, 2, 0, 0),
                null,
                null,
                0,
                0,
                0,
                backends);
        FlowHub hub = new FlowHub();
        try (AgentMetrics metrics = new AgentMetrics(new HubDataplane(hub));
                AgentServer server = AgentServer.start(
                        new InetSocketAddress("127.0.0.1", 0), List::of, metrics, hub, () -> status)) {
            String agent = "127.0.0.1:" + server.port();
            Output text = OperatorCommandsTest.status("--agent", agent);
            assertThat(text.exit()).as("ready but unhealthy").isEqualTo(StatusCommand.UNHEALTHY);
            assertThat(text.out())
                    .contains("backend ebpf  1 problem(s)")
                    .contains("! ebpf map nm_backends is 95% full")
                    .containsPattern("nm_backends +950 +1000 +95\\.0%")
                    .containsPattern("nm_affinity .*\\(lru\\)")
                    .contains("backend wireguard  healthy")
                    .containsPattern("node-b +10\\.0\\.0\\.2:51820 +2026-12-07T10:00:00Z +1234 +5678")
                    .containsPattern("node-a +Cluster +7 +7 +0  -");

            Output json = OperatorCommandsTest.status("--agent", agent, "-o", "json");
            assertThat(json.exit()).isEqualTo(StatusCommand.UNHEALTHY);
            AgentStatus parsed = io.nodemesh.agent.http.StatusJson.read(json.out());
            assertThat(parsed.backends()).isEqualTo(backends);
            assertThat(parsed.healthy()).isFalse();
        }
    }

    @Test
    void aBackendThatCannotBeReadIsReportedAsItsProblem() {
        HubDataplane hub = new HubDataplane(new FlowHub());
        MeshDataplane broken = new MeshDataplane() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public ApplyResult apply(MeshState state) {
                return hub.apply(state);
            }

            @Override
            public MeshState state() {
                return hub.state();
            }

            @Override
            public Flows flows() {
                return hub.flows();
            }

            @Override
            public Set<Capability> capabilities() {
                return hub.capabilities();
            }

            @Override
            public List<BackendHealth> health() {
                throw new IllegalStateException("wireguard dataplane for node node-a is closed");
            }

            @Override
            public void close() {}
        };
        assertThat(BackendStates.of(broken))
                .singleElement()
                .satisfies(b -> assertThat(b.problems())
                        .containsExactly(
                                "cannot read the health of test: wireguard dataplane for node node-a is closed"));
    }
}
