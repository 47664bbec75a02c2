package io.nodemesh.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Flows;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoints: {@code /healthz} (the process is alive), {@code /readyz} (200, or 503 with what is wrong),
 * {@code /metrics} (Prometheus text format), {@code /status} ({@link AgentStatus} as JSON, for {@code nodemesh status})
 * and {@code /flows} (server-sent events, one JSON flow event each).
 * A slow {@code /flows} reader loses events rather than slowing the dataplane's flow thread.
 */
public final class AgentServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    private static final int FLOW_QUEUE = 4096;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong droppedFlows = new AtomicLong();
    private volatile boolean closed;

    private AgentServer(HttpServer server) {
        this.server = server;
    }

    /** Serves on {@code address} (port 0 picks a free one, see {@link #port()}). */
    public static AgentServer start(
            InetSocketAddress address,
            ReadinessCheck readiness,
            AgentMetrics metrics,
            Flows flows,
            Supplier<AgentStatus> status)
            throws IOException {
        HttpServer http = HttpServer.create(address, 0);
        AgentServer agent = new AgentServer(http);
        agent.probesAndMetrics(readiness, metrics);
        http.createContext("/status", ex -> respond(ex, 200, "application/json", StatusJson.write(status.get())));
        http.createContext("/flows", ex -> agent.streamFlows(ex, flows));
        http.setExecutor(agent.executor);
        http.start();
        return agent;
    }

    /**
     * Serves only what a cluster may scrape and probe, on an address others reach: {@code /healthz}, {@code /readyz}
     * and {@code /metrics}. {@code /status} and {@code /flows} (workload names, addresses and identities of every
     * connection) stay on the main, local listener.
     */
    public static AgentServer startPublic(InetSocketAddress address, ReadinessCheck readiness, AgentMetrics metrics)
            throws IOException {
        HttpServer http = HttpServer.create(address, 0);
        AgentServer agent = new AgentServer(http);
        agent.probesAndMetrics(readiness, metrics);
        http.setExecutor(agent.executor);
        http.start();
        return agent;
    }

    private void probesAndMetrics(ReadinessCheck readiness, AgentMetrics metrics) {
        server.createContext("/healthz", ex -> text(ex, 200, "ok\n"));
        server.createContext("/readyz", ex -> {
            List<String> problems = readiness.problems();
            if (problems.isEmpty()) text(ex, 200, "ready\n");
            else text(ex, 503, "not ready:\n" + String.join("\n", problems) + "\n");
        });
        server.createContext("/metrics", ex -> text(ex, 200, metrics.scrape()));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Flow events dropped because a {@code /flows} reader was too slow. */
    public long droppedFlows() {
        return droppedFlows.get();
    }

    private static void text(HttpExchange ex, int code, String body) throws IOException {
        respond(ex, code, "text/plain; version=0.0.4; charset=utf-8", body);
    }

    private static void respond(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @SuppressWarnings("try") // the subscription is held open for the life of the stream, never referenced
    private void streamFlows(HttpExchange ex, Flows flows) throws IOException {
        BlockingQueue<FlowEvent> queue = new ArrayBlockingQueue<>(FLOW_QUEUE);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (Flows.Subscription sub = flows.subscribe(e -> {
                    if (!queue.offer(e)) droppedFlows.incrementAndGet();
                });
                OutputStream out = ex.getResponseBody()) {
            out.write(": nodemesh flows\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!closed) {
                FlowEvent e = queue.poll(1, TimeUnit.SECONDS);
                // A comment line now and then finds a reader that went away.
                String chunk = e == null ? ": keep-alive\n\n" : "event: flow\ndata: " + FlowJson.of(e) + "\n\n";
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("flow reader went away: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        executor.shutdownNow();
    }
}
