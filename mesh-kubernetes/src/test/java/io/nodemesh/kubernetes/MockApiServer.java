package io.nodemesh.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fabric8's mock API server in CRUD mode (real HTTP, real watches over WebSocket), with nodemesh's CRDs installed
 * from {@code deploy/crds.yaml}, and two faults a real API server has: watches that expire (an ERROR event with
 * 410 Gone, as the API server sends when a resourceVersion is compacted away) and an outage (every request 503).
 */
final class MockApiServer implements AutoCloseable {
    private static final String GONE = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}";

    private final FaultyDispatcher dispatcher = new FaultyDispatcher();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    MockApiServer() throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient();
        Path crds = Path.of("..", "deploy", "crds.yaml");
        if (!Files.exists(crds))
            throw new IllegalStateException(
                    "run the tests from mesh-kubernetes/: " + crds.toAbsolutePath() + " not found");
        try (InputStream in = new FileInputStream(crds.toFile())) {
            for (HasMetadata crd : client.load(in).items()) client.resource(crd).create();
        }
    }

    /** A client for the test to change the cluster with (agents get their own). */
    KubernetesClient client() {
        return client;
    }

    /** A new client, as an agent on its own node would have. */
    KubernetesClient newClient() {
        return server.createClient();
    }

    /** A new client whose requests carry {@code userAgent}, so the test can tell agents' writes apart. */
    KubernetesClient newClient(String userAgent) {
        var config = new io.fabric8.kubernetes.client.ConfigBuilder(
                        server.createClient().getConfiguration())
                .withUserAgent(userAgent)
                .build();
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(config)
                .build();
    }

    /** The user agent of every status write (PUT or PATCH on a {@code /status} subresource) so far, in order. */
    List<String> statusWriters() {
        return List.copyOf(dispatcher.statusWriters);
    }

    /** Ends every open watch with 410 Gone; while {@code on}, new watches are ended the same way, so informers must relist. */
    void expireWatches(boolean on) {
        dispatcher.gone = on;
        if (on) dispatcher.endWatches(GONE);
    }

    /** While {@code on}, every request fails with 503 and open watches are cut, as in an API server outage. */
    void outage(boolean on) {
        dispatcher.unavailable = on;
        if (on) dispatcher.endWatches(null);
    }

    /**
     * While {@code path} is set (only {@code /api/v1/services} is supported), lists of it come back empty and successful, as from an
     * API server restored from an empty backup; null ends it.
     */
    void emptyLists(String path) {
        dispatcher.emptyListPath = path;
    }

    /**
     * While {@code pathPrefix} is set, every request under it (e.g. {@code /apis/gateway.networking.k8s.io}) is
     * answered 404, as an API server answers for a group whose CRDs are not installed; null ends it.
     */
    void notServed(String pathPrefix) {
        dispatcher.notServedPrefix = pathPrefix;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    /** The CRUD dispatcher, with the faults switched on and off by the test. */
    private static final class FaultyDispatcher extends Dispatcher {
        private final KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(new HashMap<>());
        private final Set<WebSocket> watches = ConcurrentHashMap.newKeySet();
        volatile boolean gone;
        volatile boolean unavailable;
        volatile String emptyListPath;
        volatile String notServedPrefix;
        final List<String> statusWriters = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            boolean watch = request.getPath().contains("watch=true");
            if (("PUT".equals(request.getMethod()) || "PATCH".equals(request.getMethod()))
                    && request.getPath().split("\\?")[0].endsWith("/status")) {
                statusWriters.add(String.valueOf(request.getHeader("User-Agent")));
            }
            if (unavailable) {
                return new MockResponse()
                        .setResponseCode(503)
                        .setBody(status(503, "ServiceUnavailable", "apiserver is down (test outage)"));
            }
            String missing = notServedPrefix;
            if (missing != null && request.getPath().startsWith(missing)) {
                return new MockResponse()
                        .setResponseCode(404)
                        .setBody(status(404, "NotFound", "the server could not find the requested resource"));
            }
            String empty = emptyListPath;
            if (!watch
                    && empty != null
                    && request.getPath().split("\\?")[0].equals(empty)
                    && "GET".equals(request.getMethod())) {
                return new MockResponse()
                        .setResponseCode(200)
                        .setBody("{\"kind\":\"ServiceList\",\"apiVersion\":\"v1\","
                                + "\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
            }
            if (watch && gone) {
                // As the API server does: accept the watch, then end it with an ERROR event carrying 410 Gone.
                return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws, Response r) {
                        ws.send(GONE);
                        ws.close(1000, "expired");
                    }
                });
            }
            MockResponse response = crud.dispatch(request);
            WebSocketListener inner = response.getWebSocketListener();
            if (!watch || inner == null) return response;
            return response.withWebSocketUpgrade(new Tracking(inner));
        }

        void endWatches(String lastMessage) {
            for (WebSocket ws : List.copyOf(watches)) {
                if (lastMessage != null) ws.send(lastMessage);
                ws.close(1000, "test fault");
                watches.remove(ws);
            }
        }

        private static String status(int code, String reason, String message) {
            return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
                    + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
        }

        @Override
        public void shutdown() {
            crud.shutdown();
        }

        /** Remembers each watch's socket so a fault can end it; otherwise passes everything through. */
        private final class Tracking extends WebSocketListener {
            private final WebSocketListener inner;

            Tracking(WebSocketListener inner) {
                this.inner = inner;
            }

            @Override
            public void onBeforeAccept(WebSocket ws, Response r) {
                inner.onBeforeAccept(ws, r);
            }

            @Override
            public void onOpen(WebSocket ws, Response r) {
                watches.add(ws);
                inner.onOpen(ws, r);
            }

            @Override
            public void onMessage(WebSocket ws, String text) {
                inner.onMessage(ws, text);
            }

            @Override
            @SuppressWarnings("deprecation") // forwarded all the same: the inner listener may still use it
            public void onMessage(WebSocket ws, ByteString bytes) {
                inner.onMessage(ws, bytes);
            }

            @Override
            public void onMessage(WebSocket ws, byte[] bytes) {
                inner.onMessage(ws, bytes);
            }

            @Override
            public void onPing(WebSocket ws, byte[] bytes) {
                inner.onPing(ws, bytes);
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                watches.remove(ws);
                inner.onClosing(ws, code, reason);
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                watches.remove(ws);
                inner.onClosed(ws, code, reason);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response r) {
                watches.remove(ws);
                inner.onFailure(ws, t, r);
            }
        }
    }
}
