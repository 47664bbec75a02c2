package io.nodemesh.contract.gen;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** How {@link Corruptions} picks an object of a state, changes it and puts it back: one broken state and its path. */
final class CorruptionSteps {
    /** A broken state and the path of the violation it must produce. */
    record Broken(MeshState state, String path) {}

    private CorruptionSteps() {}

    // ---- picking an object and putting it back

    static Optional<Broken> node(
            MeshState s, int k, UnaryOperator<Node> change, java.util.function.Function<Node, String> path) {
        return pickIndex(s.nodes(), k).map(i -> {
            Node changed = change.apply(s.nodes().get(i));
            return new Broken(withNodes(s, set(s.nodes(), i, changed)), path.apply(changed));
        });
    }

    static Optional<Broken> workload(
            MeshState s, int k, UnaryOperator<Workload> change, java.util.function.Function<Workload, String> path) {
        return pickIndex(s.workloads(), k).map(i -> {
            Workload changed = change.apply(s.workloads().get(i));
            return new Broken(withWorkloads(s, set(s.workloads(), i, changed)), path.apply(changed));
        });
    }

    /** The path is computed from the service as it was, so a change that appends can name the new index. */
    static Optional<Broken> service(
            MeshState s, int k, UnaryOperator<Service> change, java.util.function.Function<Service, String> path) {
        return pickIndex(s.services(), k).map(i -> {
            Service before = s.services().get(i);
            Service changed = change.apply(before);
            String p = path.apply(before);
            // A renamed service is named by its new key.
            if (!changed.key().equals(before.key())) p = path.apply(changed);
            return new Broken(withServices(s, set(s.services(), i, changed)), p);
        });
    }

    static Optional<Broken> policy(
            MeshState s, int k, UnaryOperator<Policy> change, java.util.function.Function<Policy, String> path) {
        return pickIndex(s.policies(), k).map(i -> {
            Policy changed = change.apply(s.policies().get(i));
            return new Broken(withPolicies(s, set(s.policies(), i, changed)), path.apply(changed));
        });
    }

    static Optional<Broken> route(
            MeshState s, int k, UnaryOperator<HttpRoute> change, java.util.function.Function<HttpRoute, String> path) {
        return pickIndex(s.routes(), k).map(i -> {
            HttpRoute changed = change.apply(s.routes().get(i));
            return new Broken(withRoutes(s, set(s.routes(), i, changed)), path.apply(changed));
        });
    }

    /** Changes the first rule of a route. */
    static Optional<Broken> rule(MeshState s, int k, UnaryOperator<HttpRouteRule> change, String fieldPath) {
        return pickIndex(s.routes(), k)
                .filter(i -> !s.routes().get(i).rules().isEmpty())
                .map(i -> {
                    HttpRoute r = s.routes().get(i);
                    HttpRoute changed = new HttpRoute(
                            r.namespace(),
                            r.name(),
                            r.service(),
                            set(r.rules(), 0, change.apply(r.rules().getFirst())));
                    return new Broken(
                            withRoutes(s, set(s.routes(), i, changed)), at(changed) + ".rules[0]" + fieldPath);
                });
    }

    static boolean hasPort(Service service, int port) {
        return service.ports().stream().anyMatch(p -> p.port() == port);
    }

    static <T> Optional<Integer> pickIndex(List<T> list, int k) {
        return list.isEmpty() ? Optional.empty() : Optional.of(Math.floorMod(k, list.size()));
    }

    /** An index j ≥ 1, so the object before it is there to collide with. */
    static <T> Optional<Integer> later(List<T> list, int k) {
        return list.size() < 2 ? Optional.empty() : Optional.of(1 + Math.floorMod(k, list.size() - 1));
    }

    static String at(Service v) {
        return "services[" + v.key() + "]";
    }

    static String at(Policy p) {
        return "policies[" + p.key() + "]";
    }

    static String at(HttpRoute r) {
        return "routes[" + r.key() + "]";
    }

    static Workload copy(Workload w, String namespace, String name, String node, List<String> ips, String identity) {
        return new Workload(namespace, name, node, ips, identity, w.labels(), w.placement());
    }

    static Service withVips(Service v, List<String> vips) {
        return new Service(
                v.namespace(),
                v.name(),
                vips,
                v.ports(),
                v.endpoints(),
                v.selector(),
                v.loadBalancing(),
                v.affinity(),
                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    static Service withPorts(Service v, List<ServicePort> ports) {
        return new Service(
                v.namespace(),
                v.name(),
                v.vips(),
                ports,
                v.endpoints(),
                v.selector(),
                v.loadBalancing(),
                v.affinity(),
                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    static Service withEndpoints(Service v, List<Endpoint> endpoints) {
        return new Service(
                v.namespace(),
                v.name(),
                v.vips(),
                v.ports(),
                endpoints,
                Map.of(),
                v.loadBalancing(),
                v.affinity(),
                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    static HttpRouteRule withBackends(HttpRouteRule rule, List<WeightedBackend> backends) {
        return new HttpRouteRule(rule.matches(), backends, rule.timeout(), rule.retries(), rule.fault());
    }

    static MeshState withNodes(MeshState s, List<Node> nodes) {
        return new MeshState(nodes, s.workloads(), s.services(), s.policies(), s.routes(), s.encryption());
    }

    static MeshState withWorkloads(MeshState s, List<Workload> workloads) {
        return new MeshState(s.nodes(), workloads, s.services(), s.policies(), s.routes(), s.encryption());
    }

    static MeshState withServices(MeshState s, List<Service> services) {
        return new MeshState(s.nodes(), s.workloads(), services, s.policies(), s.routes(), s.encryption());
    }

    static MeshState withPolicies(MeshState s, List<Policy> policies) {
        return new MeshState(s.nodes(), s.workloads(), s.services(), policies, s.routes(), s.encryption());
    }

    static MeshState withRoutes(MeshState s, List<HttpRoute> routes) {
        return new MeshState(s.nodes(), s.workloads(), s.services(), s.policies(), routes, s.encryption());
    }

    static <T> List<T> set(List<T> list, int index, T value) {
        List<T> copy = new ArrayList<>(list);
        copy.set(index, value);
        return copy;
    }

    /** The list with its first element replaced by {@code value}, or just {@code value} when it was empty. */
    static <T> List<T> first(List<T> list, T value) {
        return list.isEmpty() ? List.of(value) : set(list, 0, value);
    }

    static <T> List<T> append(List<T> list, T value) {
        List<T> copy = new ArrayList<>(list);
        copy.add(value);
        return copy;
    }
}
