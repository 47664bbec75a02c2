package io.nodemesh.contract.gen;

import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a valid {@link MeshState} from a {@link StatePlan}. Addressing: node {@code i} owns pod CIDR
 * {@code 10.(i+1).0.0/prefix} (and {@code fd00:(i+1)::/64} when dual-stack), its workloads take consecutive host
 * addresses in it, node underlay addresses are {@code 192.168.0.(i+1)}, VIPs come from {@code 10.96.0.0/16}
 * ({@code fd00:96::/64}), and addresses outside the mesh from {@code 172.20.0.0/16}.
 */
final class StateBuilder {
    static final List<String> NAMESPACES = List.of("default", "shop", "pay", "ops");
    static final List<String> APPS = List.of("web", "cart", "db", "cache", "auth");
    static final List<String> TRUST_DOMAINS = List.of("cluster.local", "example.org");
    /** Path conditions for routes and L7 policy; every one valid. */
    static final List<HttpMatch> MATCHES = List.of(
            HttpMatch.path(PathMatch.prefix("/")),
            HttpMatch.path(PathMatch.prefix("/api")),
            new HttpMatch(PathMatch.exact("/healthz"), "GET", Map.of()),
            new HttpMatch(new PathMatch(PathMatch.Kind.REGEX, "/v[0-9]+/.*"), "", Map.of()),
            new HttpMatch(PathMatch.prefix("/admin"), "POST", Map.of("x-canary", "true", "x-team", "*")));

    /** Faults for route rules, every one valid; the first is "none", which most rules get. */
    static final List<HttpFault> FAULTS = List.of(
            HttpFault.NONE,
            HttpFault.abort(503, 100),
            HttpFault.abort(404, 25),
            HttpFault.delay(Duration.ofMillis(250), 50),
            new HttpFault(Duration.ofSeconds(2), 10, 500, 5),
            HttpFault.abort(200, 0));

    private final StatePlan plan;
    private final String trustDomain;

    private StateBuilder(StatePlan plan) {
        this.plan = plan;
        this.trustDomain = TRUST_DOMAINS.get(plan.encryption().trustDomain() % TRUST_DOMAINS.size());
    }

    static MeshState build(StatePlan plan) {
        return new StateBuilder(plan).build();
    }

    private MeshState build() {
        MeshState.Builder b = MeshState.builder();
        List<Node> nodes = new ArrayList<>();
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < plan.nodes().size(); i++) {
            StatePlan.NodePlan np = plan.nodes().get(i);
            String name = "node-" + (i + 1);
            List<String> cidrs = new ArrayList<>(List.of("10." + (i + 1) + ".0.0/" + np.prefix()));
            if (np.dualStack()) cidrs.add("fd00:" + (i + 1) + "::/64");
            String key = np.wireguardKey() == null ? "" : Base64.getEncoder().encodeToString(np.wireguardKey());
            nodes.add(new Node(name, List.of("192.168.0." + (i + 1)), cidrs, key));
            for (int j = 0; j < np.workloads().size(); j++) {
                workloads.add(workload(np.workloads().get(j), name, i, j, workloads.size(), np.dualStack()));
            }
        }
        nodes.forEach(b::node);
        workloads.forEach(b::workload);

        List<Service> services = new ArrayList<>();
        for (int i = 0; i < plan.services().size(); i++)
            services.add(service(plan.services().get(i), i, workloads));
        services.forEach(b::service);

        List<String> identities =
                workloads.stream().map(Workload::identity).distinct().toList();
        for (int i = 0; i < plan.policies().size(); i++)
            b.policy(policy(plan.policies().get(i), i, identities, services));

        List<Service> l7 = services.stream().filter(Service::l7).toList();
        for (int i = 0; i < Math.min(l7.size(), plan.routes().size()); i++) {
            b.route(route(plan.routes().get(i), l7.get(i), services));
        }
        StatePlan.EncryptionPlan ep = plan.encryption();
        b.encryption(new EncryptionSpec(
                ep.mode(),
                ep.strict() ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE,
                trustDomain));
        return b.build();
    }

    private Workload workload(
            StatePlan.WorkloadPlan wp, String node, int nodeIndex, int hostIndex, int serial, boolean dualStack) {
        String namespace = pick(NAMESPACES, wp.namespace());
        String app = pick(APPS, wp.app());
        String name = app + "-" + serial;
        List<String> ips = new ArrayList<>(List.of("10." + (nodeIndex + 1) + ".0." + (hostIndex + 2)));
        if (dualStack) ips.add("fd00:" + (nodeIndex + 1) + "::" + Integer.toHexString(hostIndex + 2));
        Map<String, String> labels = new TreeMap<>(Map.of("app", app));
        if (wp.tier()) labels.put("tier", serial % 2 == 0 ? "frontend" : "backend");
        Placement placement =
                new Placement(wp.netns() ? "/var/run/netns/" + name : "", wp.cgroup() ? "kubepods/" + name : "");
        String identity = Identities.spiffe(trustDomain, namespace, pick(APPS, wp.serviceAccount()));
        return new Workload(namespace, name, node, ips, identity, labels, placement);
    }

    private Service service(StatePlan.ServicePlan sp, int index, List<Workload> workloads) {
        String namespace = pick(NAMESPACES, sp.namespace());
        String app = pick(APPS, sp.app());
        List<String> vips = new ArrayList<>(List.of("10.96." + (index / 250) + "." + (index % 250 + 1)));
        if (sp.v6Vip()) vips.add("fd00:96::" + Integer.toHexString(index + 1));
        List<ServicePort> ports = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (StatePlan.PortPlan pp : sp.ports()) {
            Protocol protocol = sp.l7() ? Protocol.TCP : pp.protocol();
            if (seen.add(pp.port() + "/" + protocol))
                ports.add(new ServicePort(
                        "",
                        pp.port(),
                        pp.targetPort(),
                        protocol,
                        protocol == Protocol.TCP ? pp.appProtocol() : AppProtocol.TCP));
        }
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, String> selector = Map.of();
        if (sp.bySelector()) {
            selector = Map.of("app", app);
        } else {
            Set<String> ips = new LinkedHashSet<>();
            for (int e = 0; e < sp.endpointPicks().size() && !workloads.isEmpty(); e++) {
                Workload w = workloads.get(Math.floorMod(sp.endpointPicks().get(e), workloads.size()));
                String ip = w.ips().get(e % w.ips().size());
                if (ips.add(ip)) endpoints.add(new Endpoint(ip, w.key(), pick(sp.endpointStates(), e)));
            }
            if (sp.external()) endpoints.add(Endpoint.ready("172.20." + (index / 250) + "." + (index % 250 + 1), ""));
        }
        return new Service(
                namespace,
                app + "-svc-" + index,
                vips,
                ports,
                endpoints,
                selector,
                sp.loadBalancing(),
                SessionAffinity.clientIp(Duration.ofSeconds(sp.affinitySeconds())),
                sp.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    private Policy policy(StatePlan.PolicyPlan pp, int index, List<String> identities, List<Service> services) {
        List<String> sourceCandidates = new ArrayList<>(identities);
        sourceCandidates.add(Identities.HOST);
        sourceCandidates.add(Identities.ANY);
        List<String> sources = pp.sources().stream()
                .map(i -> pick(sourceCandidates, i))
                .distinct()
                .toList();
        List<String> destinations = identities.isEmpty()
                ? List.of()
                : pp.destinations().stream()
                        .map(i -> pick(identities, i))
                        .distinct()
                        .toList();
        List<HttpMatch> http = pp.http().stream().map(i -> pick(MATCHES, i)).toList();
        // HTTP conditions need the node proxy: a policy with them may only name L7 services.
        List<String> svc = services.isEmpty()
                ? List.of()
                : pp.services().stream()
                        .map(i -> pick(services, i))
                        .filter(s -> http.isEmpty() || s.l7())
                        .map(Service::key)
                        .distinct()
                        .toList();
        return new Policy(
                pick(NAMESPACES, pp.namespace()),
                "policy-" + index,
                pp.action(),
                sources,
                destinations,
                svc,
                pp.ports().stream().distinct().toList(),
                http);
    }

    private HttpRoute route(StatePlan.RoutePlan rp, Service service, List<Service> services) {
        List<HttpRouteRule> rules = new ArrayList<>();
        for (StatePlan.RulePlan rule : rp.rules()) {
            List<WeightedBackend> backends = new ArrayList<>();
            for (StatePlan.BackendPlan bp : rule.backends()) {
                backends.add(backend(service, pick(services, bp.service()), bp));
            }
            // Some backend must get traffic: a rule whose weights add up to zero is invalid.
            if (backends.stream().allMatch(wb -> wb.weight() == 0)) {
                WeightedBackend first = backends.getFirst();
                backends.set(0, new WeightedBackend(first.service(), first.port(), 1));
            }
            RetryPolicy retries =
                    new RetryPolicy(rule.attempts(), Duration.ofMillis(rule.perTryTimeoutMillis()), rule.retryOn());
            rules.add(new HttpRouteRule(
                    rule.matches().stream().map(i -> pick(MATCHES, i)).toList(),
                    backends,
                    Duration.ofMillis(rule.timeoutMillis()),
                    retries,
                    pick(FAULTS, rule.fault())));
        }
        return new HttpRoute(service.namespace(), service.name() + "-route", service.key(), rules);
    }

    /**
     * A backend that really has the port the route sends to: port 0 (the route's own port) only when the target exposes
     * every port of the routed service over TCP, else one of the target's TCP ports; a target without TCP ports is
     * replaced by the routed service itself.
     */
    private static WeightedBackend backend(Service routed, Service target, StatePlan.BackendPlan bp) {
        boolean hasRoutedPorts = routed.ports().stream().allMatch(own -> hasTcpPort(target, own.port()));
        if (!bp.explicitPort() && hasRoutedPorts) return new WeightedBackend(target.key(), 0, bp.weight());
        return target.ports().stream()
                .filter(p -> p.protocol() == Protocol.TCP)
                .findFirst()
                .map(p -> new WeightedBackend(target.key(), p.port(), bp.weight()))
                .orElseGet(() -> new WeightedBackend(routed.key(), 0, bp.weight()));
    }

    private static boolean hasTcpPort(Service service, int port) {
        return service.ports().stream().anyMatch(p -> p.port() == port && p.protocol() == Protocol.TCP);
    }

    private static <T> T pick(List<T> from, int index) {
        return from.get(Math.floorMod(index, from.size()));
    }
}
