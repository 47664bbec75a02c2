package io.nodemesh.envoy.supervisor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** What the supervisor needs from the outside world, so its logic can be tested with a fake process. */
public final class Seams {
    private Seams() {}

    /** Starts processes. */
    public interface Launcher {
        Process launch(List<String> command) throws IOException;

        /** Plain {@link ProcessBuilder}, output inherited so Envoy's log lands where the agent's does. */
        static Launcher processes() {
            return command -> new ProcessBuilder(command).inheritIO().start();
        }
    }

    /** Whether the Envoy of a hot-restart epoch serves. */
    public interface Readiness {
        boolean ready(int epoch);

        /** Envoy's admin {@code GET /ready}: 200 once it initialised (listeners and clusters warmed). */
        static Readiness admin(int adminPort) {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(1))
                    .build();
            URI uri = URI.create("http://127.0.0.1:" + adminPort + "/ready");
            return epoch -> {
                try {
                    return http.send(
                                            HttpRequest.newBuilder(uri)
                                                    .timeout(Duration.ofSeconds(1))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            };
        }
    }

    /** Waits; a test's records the delays instead. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;

        static Sleeper real() {
            return d -> Thread.sleep(d);
        }
    }
}
