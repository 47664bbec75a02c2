package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.contract.Privileges;
import io.nodemesh.envoy.supervisor.EnvoySupervisor;
import io.nodemesh.envoy.supervisor.SupervisorConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Envoy, supervised, bootstrapped and configured by nodemesh: it becomes ready only once it accepted the
 * listeners and clusters it fetched. Needs the {@code envoy} binary, which cannot be installed on these machines, so
 * here it skips saying so; where Envoy exists it runs.
 * <p>
 * It needs no root, and it skips through JUnit rather than {@code Privileges.requireBinary}: under
 * {@code nodemesh.requirePrivileged} (root and CI) that would turn a binary no machine here can have into a failure.
 */
class EnvoyBinaryTest {
    @TempDir
    Path dir;

    @Test
    void realEnvoyBecomesReadyOnNodemeshConfigurationWithoutNacks() throws Exception {
        if (!Privileges.onPath("envoy")) {
            String reason =
                    "envoy binary not found on PATH (Envoy is not packaged by Debian and cannot be installed on these machines)";
            System.out.println("SKIPPED: " + reason);
            org.junit.jupiter.api.Assumptions.abort(reason);
        }
        int admin;
        try (ServerSocket s = new ServerSocket(0)) {
            admin = s.getLocalPort();
        }
        try (var dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.xdsSecurity", "plaintext"))) {
            dp.apply(MeshState.builder()
                    .node(nodeA())
                    .workload(workload("web", "127.0.0.2"))
                    .service(l7("web", "10.96.0.1", 8080, List.of(Endpoint.ready("127.0.0.2", "shop/web"))))
                    .build());
            Path bootstrap = dir.resolve("envoy.json");
            Files.writeString(
                    bootstrap,
                    Bootstraps.envoyJson(new Bootstraps.EnvoySpec(
                            "node-a", "nodemesh", "node-a", "127.0.0.1", dp.xdsPort(), admin)));
            Path envoy = Path.of(
                    List.of(System.getenv("PATH").split(":")).stream()
                            .filter(d -> Files.isExecutable(Path.of(d, "envoy")))
                            .findFirst()
                            .orElseThrow(),
                    "envoy");
            try (var supervisor = EnvoySupervisor.forEnvoy(SupervisorConfig.defaults(envoy, bootstrap), admin)) {
                supervisor.start();
                assertThat(dp.nacks()).isEmpty();
                supervisor.hotRestart();
                assertThat(supervisor.epoch()).isEqualTo(1);
            }
        }
    }
}
