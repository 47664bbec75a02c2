package io.nodemesh.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/** What the operator commands ask a running agent over its HTTP endpoints; failures are one-line messages. */
final class AgentClient {
    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    AgentClient(String agent) {
        String url = agent.contains("://") ? agent : "http://" + agent;
        try {
            this.base = URI.create(url.endsWith("/") ? url : url + "/");
        } catch (IllegalArgumentException e) {
            throw new AgentUnreachable("--agent '" + agent + "' is not an address such as 127.0.0.1:9464");
        }
    }

    /** The body of {@code GET path}, which must answer 200. */
    String get(String path) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(base.resolve(path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200)
                throw new AgentUnreachable("the agent at " + base + " answered " + response.statusCode() + " to /"
                        + path + (response.statusCode() == 404 ? " (an older agent without it?)" : ""));
            return response.body();
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentUnreachable("interrupted while asking the agent at " + base);
        }
    }

    /**
     * Follows the {@code /flows} stream, handing each event's JSON to {@code sink} until it returns false or the agent
     * ends the stream.
     */
    void followFlows(Predicate<String> sink) {
        try {
            HttpResponse<java.io.InputStream> response = http.send(
                    HttpRequest.newBuilder(base.resolve("flows")).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200)
                throw new AgentUnreachable(
                        "the agent at " + base + " answered " + response.statusCode() + " to /flows");
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("data: ") && !sink.test(line.substring(6))) return;
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private AgentUnreachable unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused" : String.valueOf(e.getMessage());
        return new AgentUnreachable("cannot reach the agent at " + base + " (" + why
                + "): is it running? pass --agent HOST:PORT (its --listen address)");
    }

    /** The agent cannot be asked: the message says why and what to do. */
    static final class AgentUnreachable extends RuntimeException {
        AgentUnreachable(String message) {
            super(message);
        }
    }
}
