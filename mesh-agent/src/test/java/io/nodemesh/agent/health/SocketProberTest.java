package io.nodemesh.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.TcpHealthCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Real probes on loopback: a listening port passes TCP, a closed one fails; HTTP needs a status in range. */
class SocketProberTest {
    private static final HealthCheckSchedule SCHEDULE =
            new HealthCheckSchedule(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 1);
    private final SocketProber prober = new SocketProber();

    @Test
    void tcpPassesWhenTheConnectionIsAcceptedAndFailsWhenRefused() throws Exception {
        int closedPort;
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            ProbeTarget t =
                    new ProbeTarget("shop/web", "127.0.0.1", server.getLocalPort(), new TcpHealthCheck(0, SCHEDULE));
            assertThat(prober.probe(t)).isTrue();
            closedPort = server.getLocalPort();
        }
        assertThat(prober.probe(new ProbeTarget("shop/web", "127.0.0.1", closedPort, new TcpHealthCheck(0, SCHEDULE))))
                .isFalse();
    }

    @Test
    void httpPassesOnlyForAnExpectedStatusOfThePath() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            int status = exchange.getRequestURI().getPath().equals("/healthz") ? 200 : 503;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            assertThat(prober.probe(http(port, "/healthz", HttpHealthCheck.StatusRange.SUCCESS)))
                    .isTrue();
            assertThat(prober.probe(http(port, "/other", HttpHealthCheck.StatusRange.SUCCESS)))
                    .isFalse();
            assertThat(prober.probe(http(port, "/other", new HttpHealthCheck.StatusRange(500, 599))))
                    .isTrue();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void somethingThatIsNotHttpFailsAnHttpCheck() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (var s = server.accept()) {
                    s.getOutputStream().write("SSH-2.0-nope\r\n".getBytes());
                } catch (Exception e) {
                    // the probe may have given up first
                }
            });
            assertThat(prober.probe(http(server.getLocalPort(), "/", HttpHealthCheck.StatusRange.SUCCESS)))
                    .isFalse();
        }
    }

    private static ProbeTarget http(int port, String path, HttpHealthCheck.StatusRange expected) {
        return new ProbeTarget("shop/web", "127.0.0.1", port, new HttpHealthCheck(0, path, expected, SCHEDULE));
    }
}
