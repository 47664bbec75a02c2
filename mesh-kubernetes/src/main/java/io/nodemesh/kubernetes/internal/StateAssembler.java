package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import io.nodemesh.kubernetes.crd.MeshConfig;
import io.nodemesh.kubernetes.crd.MeshPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the cluster's {@link MeshState} from the informer caches, incrementally: translated nodes, pods and services
 * are kept, and a batch of changes translates again only what it names. Custom resources are few and are translated
 * every time. Runs on the feed thread only.
 */
final class StateAssembler {
    /** The synthetic policy that makes {@code defaultPolicy: deny} so: it selects every workload and allows only node processes. */
    static final String DEFAULT_DENY_NAMESPACE = "nodemesh-system";

    static final String DEFAULT_DENY_NAME = "default-deny";

    /** One assembled state and the verdicts on nodemesh's resources that went into it. */
    record Assembly(
            MeshState state,
            Verdicts verdicts,
            Map<String, Policy> policies,
            Map<String, HttpRoute> routes,
            Map<String, RouteOrigin> routeOrigins) {}

    /** A translated service and what was made of it for the state (the same object unless endpoint links were cut). */
    private record Linked(Service translated, Service out) {}

    private final InformerCache cache;
    private final KubernetesSerialization serialization;
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final TreeMap<String, Workload> workloads = new TreeMap<>();
    private final TreeMap<String, Service> services = new TreeMap<>();
    /** Each service as last handed to the backend, by key: see {@link #linkedServices}. */
    private final Map<String, Linked> linked = new HashMap<>();
    /** Whether the set of workload keys changed in this assembly (endpoint links depend on nothing else of the pods). */
    private boolean workloadKeysChanged;

    private final Map<String, Policy> lastGoodPolicies = new HashMap<>();
    private final Map<String, HttpRoute> lastGoodRoutes = new HashMap<>();
    private MeshSettings settings = MeshSettings.DEFAULTS;
    private MeshSettings lastGoodSettings = MeshSettings.DEFAULTS;
    private Set<String> routed = Set.of();
    /** Services that are backends of a GRPCRoute: their ports without an appProtocol speak gRPC. */
    private Set<String> grpcBackends = Set.of();

    private final RouteSources routeSources;

    StateAssembler(InformerCache cache, KubernetesSerialization serialization) {
        this.cache = cache;
        this.serialization = serialization;
        this.routeSources = new RouteSources(serialization);
    }

    Assembly assemble(PendingChanges.Batch batch) {
        Verdicts verdicts = new Verdicts();
        MeshSettings next = settings(verdicts);
        boolean everything = batch.everything() || !next.equals(settings);
        settings = next;

        if (everything || batch.nodes()) {
            // Nodes change status all the time; an unchanged translation keeps its object, so the backend sees no
            // change.
            Map<String, Node> before = new HashMap<>(nodes);
            nodes.clear();
            cache.nodes()
                    .forEach(n -> nodes.put(
                            n.getMetadata().getName(),
                            same(before.get(n.getMetadata().getName()), NodeReader.read(n))));
        }
        workloadKeysChanged = false;
        if (everything) {
            Map<String, Workload> before = new HashMap<>(workloads);
            workloads.clear();
            cache.pods().forEach(p -> putPod(Refs.key(p), p, before.get(Refs.key(p))));
            workloadKeysChanged = !before.keySet().equals(workloads.keySet());
        } else {
            batch.pods().forEach(key -> putPod(key, cache.pod(key), workloads.get(key)));
        }

        RouteSources.Chosen chosen = routeSources.choose(
                included(cache.routes()), included(cache.httpRoutes()), included(cache.grpcRoutes()), verdicts);
        Map<String, HttpRoute> routes = chosen.routes();
        Set<String> nowRouted = new HashSet<>();
        routes.values().forEach(r -> nowRouted.add(r.service()));
        Set<String> dirtyServices = new HashSet<>(batch.services());
        // A route marks its service L7, a GRPCRoute its backends gRPC: services that changed either way are
        // translated again.
        routed = changed(routed, nowRouted, dirtyServices);
        grpcBackends = changed(grpcBackends, chosen.grpcBackends(), dirtyServices);
        if (everything) {
            services.clear();
            cache.services().forEach(s -> putService(Refs.key(s), s));
            linked.keySet().retainAll(services.keySet());
        } else {
            dirtyServices.forEach(key -> putService(key, cache.service(key)));
        }

        Map<String, Policy> policies = policies(verdicts);
        List<Policy> policyList = new ArrayList<>(policies.values());
        if (settings.defaultDeny()) {
            policyList.add(new Policy(
                    DEFAULT_DENY_NAMESPACE,
                    DEFAULT_DENY_NAME,
                    PolicyAction.ALLOW,
                    List.of(Identities.HOST),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of()));
        }
        policyList.sort(Comparator.comparing(Policy::key));
        List<HttpRoute> routeList = new ArrayList<>(routes.values());
        routeList.sort(Comparator.comparing(HttpRoute::key));
        MeshState state = new MeshState(
                new ArrayList<>(nodes.values()),
                new ArrayList<>(workloads.values()),
                linkedServices(),
                policyList,
                routeList,
                settings.encryption());
        return new Assembly(state, verdicts, policies, routes, chosen.origins());
    }

    private static Set<String> changed(Set<String> before, Set<String> now, Set<String> dirty) {
        if (now.equals(before)) return before;
        before.stream().filter(s -> !now.contains(s)).forEach(dirty::add);
        now.stream().filter(s -> !before.contains(s)).forEach(dirty::add);
        return Set.copyOf(now);
    }

    private List<GenericKubernetesResource> included(java.util.Collection<GenericKubernetesResource> all) {
        return all.stream()
                .filter(r -> !excluded(r.getMetadata().getNamespace()))
                .toList();
    }

    /** Remembers what was applied, so a later bad edit of a resource falls back to it. */
    void committed(MeshState applied) {
        lastGoodPolicies.clear();
        applied.policies().forEach(p -> lastGoodPolicies.put(p.key(), p));
        lastGoodRoutes.clear();
        applied.routes().forEach(r -> lastGoodRoutes.put(r.key(), r));
        routeSources.committed(applied.routes());
        lastGoodSettings = settings;
    }

    Map<String, Policy> lastGoodPolicies() {
        return lastGoodPolicies;
    }

    Map<String, HttpRoute> lastGoodRoutes() {
        return lastGoodRoutes;
    }

    private void putPod(String key, io.fabric8.kubernetes.api.model.Pod pod, Workload previous) {
        var w = pod == null || excluded(pod.getMetadata().getNamespace())
                ? null
                : PodReader.read(pod, settings.trustDomain()).orElse(null);
        if (w == null) {
            if (workloads.remove(key) != null) workloadKeysChanged = true;
        } else if (workloads.put(key, same(previous, w)) == null) {
            workloadKeysChanged = true;
        }
    }

    /**
     * The previous object when the new translation equals it. Backends skip re-checking objects they already hold
     * (identity, not equality), so an update that changes nothing the mesh sees must not hand them a new object.
     */
    private static <T> T same(T previous, T now) {
        return previous != null && previous.equals(now) ? previous : now;
    }

    private void putService(String key, io.fabric8.kubernetes.api.model.Service svc) {
        var s = svc == null || excluded(svc.getMetadata().getNamespace())
                ? null
                : ServiceReader.read(svc, cache.slicesOf(key), routed.contains(key), grpcBackends.contains(key))
                        .orElse(null);
        if (s == null) {
            services.remove(key);
            linked.remove(key);
        } else {
            services.put(key, s);
        }
    }

    private boolean excluded(String namespace) {
        return settings.excludedNamespaces().contains(namespace);
    }

    /**
     * Services as translated, with endpoint references to pods that are not workloads (excluded, host network, not
     * yet running) dropped: the endpoint stays, as an address outside the mesh. In key order, and each service the
     * same object as in the last assembly unless it changed: backends re-check and re-derive only new objects, so
     * this is what keeps one change to a big cluster cheap for them too.
     */
    private List<Service> linkedServices() {
        List<Service> out = new ArrayList<>(services.size());
        for (var entry : services.entrySet()) {
            Service s = entry.getValue();
            Linked last = linked.get(entry.getKey());
            if (last != null && last.translated() == s && !workloadKeysChanged) {
                out.add(last.out());
                continue;
            }
            Service o = link(s);
            if (last != null) o = same(last.out(), o);
            linked.put(entry.getKey(), new Linked(s, o));
            out.add(o);
        }
        return out;
    }

    private Service link(Service s) {
        boolean dangling = false;
        for (Endpoint e : s.endpoints()) {
            if (!e.workload().isEmpty() && !workloads.containsKey(e.workload())) {
                dangling = true;
                break;
            }
        }
        if (!dangling) return s;
        List<Endpoint> fixed = new ArrayList<>(s.endpoints().size());
        for (Endpoint e : s.endpoints()) {
            fixed.add(
                    e.workload().isEmpty() || workloads.containsKey(e.workload())
                            ? e
                            : new Endpoint(e.ip(), "", e.state()));
        }
        return s.withEndpoints(fixed);
    }

    /** The MeshConfig in force: {@code default} if present, else the oldest. A bad one keeps the last good settings. */
    private MeshSettings settings(Verdicts verdicts) {
        List<GenericKubernetesResource> all = new ArrayList<>(cache.configs());
        if (all.isEmpty()) return MeshSettings.DEFAULTS;
        all.sort(Comparator.comparing((GenericKubernetesResource r) ->
                        !MeshConfig.DEFAULT_NAME.equals(r.getMetadata().getName()))
                .thenComparing(r -> String.valueOf(r.getMetadata().getCreationTimestamp()))
                .thenComparing(r -> r.getMetadata().getName()));
        MeshSettings chosen = lastGoodSettings;
        for (int i = 0; i < all.size(); i++) {
            GenericKubernetesResource r = all.get(i);
            String id = Verdicts.id("config", r.getMetadata().getName());
            verdicts.seen(id, r);
            if (i > 0) {
                verdicts.reject(
                        id,
                        List.of(new Violation(
                                "metadata.name",
                                "ignored: MeshConfig "
                                        + all.getFirst().getMetadata().getName()
                                        + " is the one in force (there should be one, named default)")),
                        false);
                continue;
            }
            MeshConfig typed;
            try {
                typed = serialization.convertValue(r, MeshConfig.class);
            } catch (RuntimeException e) {
                verdicts.reject(id, List.of(new Violation("spec", "cannot be read: " + e.getMessage())), true);
                continue;
            }
            Translated<MeshSettings> t = MeshSettings.translate(typed);
            if (t.ok()) chosen = t.value();
            else verdicts.reject(id, t.violations(), true);
        }
        return chosen;
    }

    private Map<String, Policy> policies(Verdicts verdicts) {
        Map<String, Policy> out = new TreeMap<>();
        for (GenericKubernetesResource r : cache.policies()) {
            if (excluded(r.getMetadata().getNamespace())) continue;
            String key = Refs.key(r);
            String id = Verdicts.id("policy", key);
            verdicts.seen(id, r);
            Translated<Policy> t;
            try {
                t = PolicyReader.read(serialization.convertValue(r, MeshPolicy.class), settings.trustDomain());
            } catch (RuntimeException e) {
                t = new Translated<>(null, List.of(new Violation("spec", "cannot be read: " + e.getMessage())));
            }
            fallBack(key, id, t, lastGoodPolicies.get(key), out, verdicts);
        }
        return out;
    }

    private static <T> void fallBack(
            String key, String id, Translated<T> t, T lastGood, Map<String, T> out, Verdicts verdicts) {
        if (t.ok()) {
            out.put(key, t.value());
            return;
        }
        verdicts.reject(id, t.violations(), lastGood != null);
        if (lastGood != null) out.put(key, lastGood);
    }
}
