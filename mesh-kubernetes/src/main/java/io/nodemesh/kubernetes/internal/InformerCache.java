package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The informers on everything the mesh is built from, and read access to their caches. The informers relist with
 * backoff by themselves when the API server is unreachable or a watch expires (410 Gone); this class records what went
 * wrong so readiness can say it.
 */
final class InformerCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InformerCache.class);
    private static final String BY_SERVICE = "byService";

    private final Map<ResourceKind, SharedIndexInformer<? extends HasMetadata>> informers =
            new EnumMap<>(ResourceKind.class);
    private final Map<ResourceKind, String> lastErrors = new ConcurrentHashMap<>();
    private final Map<ResourceKind, Instant> errorTimes = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<GenericKubernetesResource> configs;
    private final SharedIndexInformer<GenericKubernetesResource> policies;
    private final SharedIndexInformer<GenericKubernetesResource> routes;
    private final SharedIndexInformer<GenericKubernetesResource> httpRoutes;
    private final SharedIndexInformer<GenericKubernetesResource> grpcRoutes;
    /** Optional kinds the API server would not list (404, 403), with why: left out of sync and problems. */
    private final Map<ResourceKind, String> absent = new ConcurrentHashMap<>();

    private final boolean strip;

    /** Creates the informers (not yet started); {@code onChange} hears every add, update and delete. */
    InformerCache(KubernetesClient client, BiConsumer<ResourceKind, HasMetadata> onChange) {
        this(client, onChange, true);
    }

    /** With {@code strip} false the caches keep whole objects (only to measure what stripping saves). */
    InformerCache(KubernetesClient client, BiConsumer<ResourceKind, HasMetadata> onChange, boolean strip) {
        this.strip = strip;
        nodes = register(ResourceKind.NODE, client.nodes().runnableInformer(0), onChange);
        pods = register(ResourceKind.POD, client.pods().inAnyNamespace().runnableInformer(0), onChange);
        services = register(
                ResourceKind.SERVICE, client.services().inAnyNamespace().runnableInformer(0), onChange);
        slices = register(
                ResourceKind.ENDPOINT_SLICE,
                client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0),
                onChange);
        slices.addIndexers(Map.of(BY_SERVICE, (Function<EndpointSlice, List<String>>) InformerCache::serviceOf));
        configs = register(
                ResourceKind.MESH_CONFIG,
                client.genericKubernetesResources(CustomResources.CONFIG).runnableInformer(0),
                onChange);
        policies = register(
                ResourceKind.MESH_POLICY,
                client.genericKubernetesResources(CustomResources.POLICY)
                        .inAnyNamespace()
                        .runnableInformer(0),
                onChange);
        routes = register(
                ResourceKind.MESH_HTTP_ROUTE,
                client.genericKubernetesResources(CustomResources.ROUTE)
                        .inAnyNamespace()
                        .runnableInformer(0),
                onChange);
        httpRoutes = register(
                ResourceKind.HTTP_ROUTE,
                client.genericKubernetesResources(GatewayApi.HTTP_ROUTE)
                        .inAnyNamespace()
                        .runnableInformer(0),
                onChange);
        grpcRoutes = register(
                ResourceKind.GRPC_ROUTE,
                client.genericKubernetesResources(GatewayApi.GRPC_ROUTE)
                        .inAnyNamespace()
                        .runnableInformer(0),
                onChange);
    }

    private <T extends HasMetadata> SharedIndexInformer<T> register(
            ResourceKind kind, SharedIndexInformer<T> informer, BiConsumer<ResourceKind, HasMetadata> onChange) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(kind, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.accept(kind, newObj);
                // A slice can move to another service only by relabelling; the old service must be rebuilt too.
                if (kind == ResourceKind.ENDPOINT_SLICE) onChange.accept(kind, oldObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onChange.accept(kind, obj);
            }

            @Override
            public void onBeforeList(String resourceVersion) {
                // A list after the first means the watch was lost (an outage, 410 Gone): what it returns is suspect.
                if (informer.hasSynced()) {
                    errorTimes.put(kind, Instant.now());
                    LOG.info("{}: relisting after the watch was lost", kind.plural());
                }
            }
        });
        if (strip)
            informer.itemStore(new StrippingItemStore<>()); // before start: the first list is cached stripped too
        informer.exceptionHandler(handler(kind));
        informers.put(kind, informer);
        return informer;
    }

    /** Records the failure and always retries: an agent must outlive an API server outage, and never exits by itself. */
    private ExceptionHandler handler(ResourceKind kind) {
        return (isStarted, t) -> {
            if (closed) return false;
            if (kind.optional() && notServed(t) != null) {
                // Retried quietly, so installing the CRDs (or granting the role) later turns the kind on.
                String why = notServed(t);
                if (absent.put(kind, why) == null)
                    LOG.info("{} are off: {}; the feed goes on without them", kind.plural(), why);
                return true;
            }
            String message = describe(t);
            lastErrors.put(kind, message);
            errorTimes.put(kind, Instant.now());
            LOG.warn("{}: {} (retrying with backoff; the dataplane keeps its last state)", kind.plural(), message);
            return true;
        };
    }

    /** A failure in words an operator can act on. */
    static String describe(Throwable t) {
        String top = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) return "cannot connect to the API server (" + top + ")";
            if (c instanceof java.net.UnknownHostException) return "cannot resolve the API server's host (" + top + ")";
        }
        return top;
    }

    /** Why the API server will not list an optional kind, or null for any other failure. */
    private static String notServed(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException e) {
                if (e.getCode() == 404) return "the API server does not serve them (their CRDs are not installed)";
                if (e.getCode() == 403)
                    return "the agent may not list them (403: grant get, list and watch in its ClusterRole)";
            }
        }
        return null;
    }

    /** Starts every informer; the result completes when all have listed once. */
    java.util.concurrent.CompletableFuture<Void> start() {
        List<java.util.concurrent.CompletableFuture<Void>> started = new ArrayList<>();
        informers
                .values()
                .forEach(i -> started.add(i.start().toCompletableFuture().whenComplete((ok, failure) -> {
                    if (failure != null) LOG.warn("informer failed to start: {}", failure.getMessage());
                })));
        return java.util.concurrent.CompletableFuture.allOf(
                started.toArray(java.util.concurrent.CompletableFuture[]::new));
    }

    /** Whether every kind has listed once; an optional kind the API server does not serve counts as listed, empty. */
    boolean synced() {
        boolean all = true;
        for (var e : informers.entrySet()) {
            if (e.getValue().hasSynced()) {
                if (e.getValue().isWatching() && absent.remove(e.getKey()) != null)
                    LOG.info("{} are on", e.getKey().plural());
            } else if (!absent.containsKey(e.getKey())) {
                all = false;
            }
        }
        return all;
    }

    /** The optional kinds the feed goes without, with why. */
    Map<ResourceKind, String> absent() {
        return Map.copyOf(absent);
    }

    /** What stops the caches from being complete and current, one line per kind; empty when they are. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        informers.forEach((kind, informer) -> {
            if (!informer.hasSynced() && absent.containsKey(kind)) return; // off, and said so once
            if (!informer.hasSynced()) {
                out.add(kind.plural() + ": not listed yet" + error(kind));
            } else if (!informer.isWatching()) {
                out.add(kind.plural() + ": not watching" + error(kind));
            }
        });
        return out;
    }

    /** When any informer last failed or had to relist, or null. */
    Instant lastErrorTime() {
        return errorTimes.values().stream().max(Instant::compareTo).orElse(null);
    }

    private String error(ResourceKind kind) {
        String e = lastErrors.get(kind);
        return e == null ? "" : " (last error: " + e + ")";
    }

    Collection<Node> nodes() {
        return nodes.getStore().list();
    }

    Pod pod(String key) {
        return pods.getStore().getByKey(key);
    }

    Collection<Pod> pods() {
        return pods.getStore().list();
    }

    Service service(String key) {
        return services.getStore().getByKey(key);
    }

    Collection<Service> services() {
        return services.getStore().list();
    }

    List<EndpointSlice> slicesOf(String serviceKey) {
        return slices.getIndexer().byIndex(BY_SERVICE, serviceKey);
    }

    Collection<GenericKubernetesResource> configs() {
        return configs.getStore().list();
    }

    Collection<GenericKubernetesResource> policies() {
        return policies.getStore().list();
    }

    Collection<GenericKubernetesResource> routes() {
        return routes.getStore().list();
    }

    /** Gateway API HTTPRoutes; empty while the API server does not serve them. */
    Collection<GenericKubernetesResource> httpRoutes() {
        return httpRoutes.getStore().list();
    }

    /** Gateway API GRPCRoutes; empty while the API server does not serve them. */
    Collection<GenericKubernetesResource> grpcRoutes() {
        return grpcRoutes.getStore().list();
    }

    /** The service ({@code namespace/name}) a slice belongs to, by its {@code kubernetes.io/service-name} label. */
    static List<String> serviceOf(EndpointSlice slice) {
        var labels = slice.getMetadata().getLabels();
        String name = labels == null ? null : labels.get(ServiceReader.SERVICE_NAME_LABEL);
        return name == null ? List.of() : List.of(slice.getMetadata().getNamespace() + "/" + name);
    }

    @Override
    public void close() {
        closed = true;
        informers.values().forEach(SharedIndexInformer::stop);
    }
}
