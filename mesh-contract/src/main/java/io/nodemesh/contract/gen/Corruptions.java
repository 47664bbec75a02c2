package io.nodemesh.contract.gen;

import static io.nodemesh.contract.gen.CorruptionSteps.append;
import static io.nodemesh.contract.gen.CorruptionSteps.at;
import static io.nodemesh.contract.gen.CorruptionSteps.copy;
import static io.nodemesh.contract.gen.CorruptionSteps.first;
import static io.nodemesh.contract.gen.CorruptionSteps.hasPort;
import static io.nodemesh.contract.gen.CorruptionSteps.later;
import static io.nodemesh.contract.gen.CorruptionSteps.node;
import static io.nodemesh.contract.gen.CorruptionSteps.pickIndex;
import static io.nodemesh.contract.gen.CorruptionSteps.policy;
import static io.nodemesh.contract.gen.CorruptionSteps.route;
import static io.nodemesh.contract.gen.CorruptionSteps.rule;
import static io.nodemesh.contract.gen.CorruptionSteps.service;
import static io.nodemesh.contract.gen.CorruptionSteps.set;
import static io.nodemesh.contract.gen.CorruptionSteps.withBackends;
import static io.nodemesh.contract.gen.CorruptionSteps.withEndpoints;
import static io.nodemesh.contract.gen.CorruptionSteps.withNodes;
import static io.nodemesh.contract.gen.CorruptionSteps.withPolicies;
import static io.nodemesh.contract.gen.CorruptionSteps.withPorts;
import static io.nodemesh.contract.gen.CorruptionSteps.withRoutes;
import static io.nodemesh.contract.gen.CorruptionSteps.withServices;
import static io.nodemesh.contract.gen.CorruptionSteps.withVips;
import static io.nodemesh.contract.gen.CorruptionSteps.withWorkloads;
import static io.nodemesh.contract.gen.CorruptionSteps.workload;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.gen.CorruptionSteps.Broken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ways {@link MeshStates#corruptedStates()} breaks a valid state, one rule of {@code MeshState.validate()} each.
 * A kind that does not apply to a state (no second node to collide with, no route to break) is left out for it;
 * the added.* kinds add a broken object and so always apply.
 */
final class Corruptions {
    /** One way of breaking a state: the object it picks is chosen by {@code pick}; empty when nothing fits. */
    private interface Kind {
        Optional<Broken> apply(MeshState s, int pick);
    }

    private record Named(String name, Kind kind) {}

    private static final String GHOST_ID = "spiffe://ghost.test/ns/ghost/sa/ghost";

    static final List<Named> KINDS = List.of(
            // nodes
            new Named(
                    "node.name.invalid",
                    (s, k) -> node(
                            s,
                            k,
                            n -> new Node("Node_" + k, n.addresses(), n.podCidrs(), n.wireguardPublicKey()),
                            n -> "nodes[Node_" + k + "].name")),
            new Named(
                    "node.name.duplicate",
                    (s, k) -> later(s.nodes(), k).map(j -> {
                        String name = s.nodes().get(j - 1).name();
                        Node n = s.nodes().get(j);
                        return new Broken(
                                withNodes(
                                        s,
                                        set(
                                                s.nodes(),
                                                j,
                                                new Node(name, n.addresses(), n.podCidrs(), n.wireguardPublicKey()))),
                                "nodes[" + name + "].name");
                    })),
            new Named(
                    "node.address.invalid",
                    (s, k) -> node(
                            s,
                            k,
                            n -> new Node(
                                    n.name(),
                                    first(n.addresses(), "192.168.0.256"),
                                    n.podCidrs(),
                                    n.wireguardPublicKey()),
                            n -> "nodes[" + n.name() + "].addresses[0]")),
            new Named(
                    "node.podCidr.invalid",
                    (s, k) -> node(
                            s,
                            k,
                            n -> new Node(
                                    n.name(),
                                    n.addresses(),
                                    first(n.podCidrs(), "10.1.0.0/33"),
                                    n.wireguardPublicKey()),
                            n -> "nodes[" + n.name() + "].podCidrs[0]")),
            new Named(
                    "node.podCidr.overlap",
                    (s, k) -> later(s.nodes(), k)
                            .filter(j -> !s.nodes().get(j - 1).podCidrs().isEmpty())
                            .map(j -> {
                                Node n = s.nodes().get(j);
                                String taken = s.nodes().get(j - 1).podCidrs().getFirst();
                                return new Broken(
                                        withNodes(
                                                s,
                                                set(
                                                        s.nodes(),
                                                        j,
                                                        new Node(
                                                                n.name(),
                                                                n.addresses(),
                                                                first(n.podCidrs(), taken),
                                                                n.wireguardPublicKey()))),
                                        "nodes[" + n.name() + "].podCidrs[0]");
                            })),
            new Named(
                    "node.wireguardKey.invalid",
                    (s, k) -> node(
                            s,
                            k,
                            n -> n.withWireguardPublicKey("bm90LWEta2V5"),
                            n -> "nodes[" + n.name() + "].wireguardPublicKey")),
            // workloads
            new Named(
                    "workload.namespace.invalid",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(w, "Shop", w.name(), w.node(), w.ips(), w.identity()),
                            w -> "workloads[Shop/" + w.name() + "].namespace")),
            new Named(
                    "workload.name.invalid",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(w, w.namespace(), "web_" + k, w.node(), w.ips(), w.identity()),
                            w -> "workloads[" + w.namespace() + "/web_" + k + "].name")),
            new Named(
                    "workload.node.unknown",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(w, w.namespace(), w.name(), "no-such-node", w.ips(), w.identity()),
                            w -> "workloads[" + w.key() + "].node")),
            new Named(
                    "workload.ips.empty",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(w, w.namespace(), w.name(), w.node(), List.of(), w.identity()),
                            w -> "workloads[" + w.key() + "].ips")),
            new Named(
                    "workload.ip.invalid",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(w, w.namespace(), w.name(), w.node(), first(w.ips(), "10.1.0.999"), w.identity()),
                            w -> "workloads[" + w.key() + "].ips[0]")),
            new Named(
                    "workload.ip.duplicate",
                    (s, k) -> later(s.workloads(), k).map(j -> {
                        Workload w = s.workloads().get(j);
                        String taken = s.workloads().get(j - 1).ips().getFirst();
                        return new Broken(
                                withWorkloads(
                                        s,
                                        set(
                                                s.workloads(),
                                                j,
                                                copy(
                                                        w,
                                                        w.namespace(),
                                                        w.name(),
                                                        w.node(),
                                                        first(w.ips(), taken),
                                                        w.identity()))),
                                "workloads[" + w.key() + "].ips[0]");
                    })),
            new Named(
                    "workload.identity.invalid",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(w, w.namespace(), w.name(), w.node(), w.ips(), "web"),
                            w -> "workloads[" + w.key() + "].identity")),
            new Named(
                    "workload.duplicate",
                    (s, k) -> later(s.workloads(), k).map(j -> {
                        Workload before = s.workloads().get(j - 1);
                        Workload w = s.workloads().get(j);
                        return new Broken(
                                withWorkloads(
                                        s,
                                        set(
                                                s.workloads(),
                                                j,
                                                copy(
                                                        w,
                                                        before.namespace(),
                                                        before.name(),
                                                        w.node(),
                                                        w.ips(),
                                                        w.identity()))),
                                "workloads[" + before.key() + "]");
                    })),
            // services
            new Named(
                    "service.namespace.invalid",
                    (s, k) -> service(
                            s,
                            k,
                            v -> new Service(
                                    "-shop",
                                    v.name(),
                                    v.vips(),
                                    v.ports(),
                                    v.endpoints(),
                                    v.selector(),
                                    v.loadBalancing(),
                                    v.affinity(),
                                    v.l7() ? ServiceLayer.L7 : ServiceLayer.L4),
                            v -> "services[-shop/" + v.name() + "].namespace")),
            new Named(
                    "service.name.invalid",
                    (s, k) -> service(
                            s,
                            k,
                            v -> new Service(
                                    v.namespace(),
                                    "Web",
                                    v.vips(),
                                    v.ports(),
                                    v.endpoints(),
                                    v.selector(),
                                    v.loadBalancing(),
                                    v.affinity(),
                                    v.l7() ? ServiceLayer.L7 : ServiceLayer.L4),
                            v -> "services[" + v.namespace() + "/Web].name")),
            new Named(
                    "service.duplicate",
                    (s, k) -> later(s.services(), k).map(j -> {
                        Service before = s.services().get(j - 1);
                        Service v = s.services().get(j);
                        Service dup = new Service(
                                before.namespace(),
                                before.name(),
                                v.vips(),
                                v.ports(),
                                v.endpoints(),
                                v.selector(),
                                v.loadBalancing(),
                                v.affinity(),
                                v.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
                        return new Broken(withServices(s, set(s.services(), j, dup)), "services[" + before.key() + "]");
                    })),
            new Named("service.vips.empty", (s, k) -> service(s, k, v -> withVips(v, List.of()), v -> at(v) + ".vips")),
            new Named(
                    "service.vip.invalid",
                    (s, k) -> service(s, k, v -> withVips(v, first(v.vips(), "10.96.0")), v -> at(v) + ".vips[0]")),
            new Named(
                    "service.vip.duplicate",
                    (s, k) -> later(s.services(), k).map(j -> {
                        Service v = s.services().get(j);
                        String taken = s.services().get(j - 1).vips().getFirst();
                        return new Broken(
                                withServices(s, set(s.services(), j, withVips(v, first(v.vips(), taken)))),
                                at(v) + ".vips[0]");
                    })),
            new Named(
                    "service.vip.isWorkloadIp",
                    (s, k) -> s.workloads().isEmpty()
                            ? Optional.empty()
                            : service(
                                    s,
                                    k,
                                    v -> withVips(
                                            v,
                                            first(
                                                    v.vips(),
                                                    s.workloads()
                                                            .get(Math.floorMod(
                                                                    k,
                                                                    s.workloads()
                                                                            .size()))
                                                            .ips()
                                                            .getFirst())),
                                    v -> at(v) + ".vips[0]")),
            new Named(
                    "service.ports.empty",
                    (s, k) -> service(s, k, v -> withPorts(v, List.of()), v -> at(v) + ".ports")),
            new Named(
                    "service.port.outOfRange",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withPorts(v, first(v.ports(), ServicePort.tcp(k % 2 == 0 ? 65536 : -1, 80))),
                            v -> at(v) + ".ports[0].port")),
            new Named(
                    "service.targetPort.outOfRange",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withPorts(v, first(v.ports(), ServicePort.tcp(80, 70000))),
                            v -> at(v) + ".ports[0].targetPort")),
            new Named(
                    "service.port.duplicate",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withPorts(v, append(v.ports(), v.ports().getFirst())),
                            v -> at(v) + ".ports[" + v.ports().size() + "].port")),
            new Named(
                    "service.l7.udp",
                    (s, k) -> service(
                            s,
                            k,
                            v -> new Service(
                                    v.namespace(),
                                    v.name(),
                                    v.vips(),
                                    first(v.ports(), ServicePort.udp(53, 53)),
                                    v.endpoints(),
                                    v.selector(),
                                    v.loadBalancing(),
                                    v.affinity(),
                                    ServiceLayer.L7),
                            v -> at(v) + ".ports[0].protocol")),
            new Named(
                    "service.endpointsAndSelector",
                    (s, k) -> service(
                            s,
                            k,
                            v -> new Service(
                                    v.namespace(),
                                    v.name(),
                                    v.vips(),
                                    v.ports(),
                                    List.of(Endpoint.ready("172.21.0.1", "")),
                                    Map.of("app", "web"),
                                    v.loadBalancing(),
                                    v.affinity(),
                                    v.l7() ? ServiceLayer.L7 : ServiceLayer.L4),
                            v -> at(v) + ".selector")),
            new Named(
                    "service.endpoint.ip.invalid",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withEndpoints(v, List.of(Endpoint.ready("172.21.0.300", ""))),
                            v -> at(v) + ".endpoints[0].ip")),
            new Named(
                    "service.endpoint.workload.unknown",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withEndpoints(v, List.of(Endpoint.ready("172.21.0.1", "ghost/ghost"))),
                            v -> at(v) + ".endpoints[0].workload")),
            new Named(
                    "service.endpoint.duplicate",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withEndpoints(
                                    v,
                                    List.of(
                                            Endpoint.ready("172.21.0.1", ""),
                                            new Endpoint("172.21.0.1", "", EndpointState.NOT_READY))),
                            v -> at(v) + ".endpoints[1].ip")),
            new Named(
                    "service.affinity.negative",
                    (s, k) -> service(
                            s,
                            k,
                            v -> v.withAffinity(SessionAffinity.clientIp(Duration.ofSeconds(-1 - k))),
                            v -> at(v) + ".affinity.timeout")),
            // policies
            new Named(
                    "policy.name.invalid",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    "deny all",
                                    p.action(),
                                    p.sources(),
                                    p.destinations(),
                                    p.services(),
                                    p.ports(),
                                    p.http()),
                            p -> "policies[" + p.namespace() + "/deny all].name")),
            new Named(
                    "policy.source.unknown",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    List.of(GHOST_ID),
                                    p.destinations(),
                                    p.services(),
                                    p.ports(),
                                    p.http()),
                            p -> at(p) + ".sources[0]")),
            new Named(
                    "policy.destination.unknown",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    p.sources(),
                                    List.of(GHOST_ID),
                                    p.services(),
                                    p.ports(),
                                    p.http()),
                            p -> at(p) + ".destinations[0]")),
            new Named(
                    "policy.service.unknown",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    p.sources(),
                                    p.destinations(),
                                    List.of("ghost/ghost"),
                                    p.ports(),
                                    p.http()),
                            p -> at(p) + ".services[0]")),
            new Named(
                    "policy.port.outOfRange",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    p.sources(),
                                    p.destinations(),
                                    p.services(),
                                    List.of(0),
                                    p.http()),
                            p -> at(p) + ".ports[0]")),
            new Named(
                    "policy.http.regex.invalid",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    p.sources(),
                                    p.destinations(),
                                    p.services(),
                                    p.ports(),
                                    List.of(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "/v[0-9+")))),
                            p -> at(p) + ".http[0].path.value")),
            new Named(
                    "policy.http.path.relative",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    p.sources(),
                                    p.destinations(),
                                    p.services(),
                                    p.ports(),
                                    List.of(HttpMatch.path(PathMatch.prefix("api")))),
                            p -> at(p) + ".http[0].path.value")),
            new Named(
                    "policy.duplicate",
                    (s, k) -> later(s.policies(), k).map(j -> {
                        Policy before = s.policies().get(j - 1);
                        Policy p = s.policies().get(j);
                        Policy dup = new Policy(
                                before.namespace(),
                                before.name(),
                                p.action(),
                                p.sources(),
                                p.destinations(),
                                p.services(),
                                p.ports(),
                                p.http());
                        return new Broken(withPolicies(s, set(s.policies(), j, dup)), "policies[" + before.key() + "]");
                    })),
            // routes
            new Named(
                    "route.service.unknown",
                    (s, k) -> route(
                            s,
                            k,
                            r -> new HttpRoute(r.namespace(), r.name(), "ghost/ghost", r.rules()),
                            r -> at(r) + ".service")),
            new Named(
                    "route.service.notL7",
                    (s, k) -> pickIndex(s.routes(), k).flatMap(i -> {
                        HttpRoute r = s.routes().get(i);
                        if (s.index().service(r.service()).isEmpty()) return Optional.empty();
                        MeshState broken = s.withService(
                                r.service(),
                                v -> new Service(
                                        v.namespace(),
                                        v.name(),
                                        v.vips(),
                                        v.ports().stream()
                                                .map(p -> new ServicePort(
                                                        p.name(), p.port(), p.targetPort(), Protocol.TCP))
                                                .toList(),
                                        v.endpoints(),
                                        v.selector(),
                                        v.loadBalancing(),
                                        v.affinity(),
                                        ServiceLayer.L4));
                        return Optional.of(new Broken(broken, at(r) + ".service"));
                    })),
            new Named(
                    "route.rules.empty",
                    (s, k) -> route(
                            s,
                            k,
                            r -> new HttpRoute(r.namespace(), r.name(), r.service(), List.of()),
                            r -> at(r) + ".rules")),
            new Named(
                    "route.backends.empty",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(rule.matches(), List.of(), rule.timeout(), rule.retries()),
                            ".backends")),
            new Named(
                    "route.backend.unknown",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> withBackends(
                                    rule, first(rule.backends(), new WeightedBackend("ghost/ghost", 0, 1))),
                            ".backends[0].service")),
            new Named(
                    "route.backend.weight.negative",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> {
                                WeightedBackend b = rule.backends().getFirst();
                                return withBackends(
                                        rule,
                                        append(
                                                first(
                                                        rule.backends(),
                                                        new WeightedBackend(b.service(), b.port(), -1 - k)),
                                                new WeightedBackend(b.service(), b.port(), 1)));
                            },
                            ".backends[0].weight")),
            new Named(
                    "route.backend.weights.zero",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> withBackends(
                                    rule,
                                    rule.backends().stream()
                                            .map(b -> new WeightedBackend(b.service(), b.port(), 0))
                                            .toList()),
                            ".backends")),
            new Named(
                    "route.backend.port.outOfRange",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> {
                                WeightedBackend b = rule.backends().getFirst();
                                return withBackends(
                                        rule,
                                        first(
                                                rule.backends(),
                                                new WeightedBackend(b.service(), 65536 + k, Math.max(1, b.weight()))));
                            },
                            ".backends[0].port")),
            new Named(
                    "route.timeout.negative",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(
                                    rule.matches(), rule.backends(), Duration.ofMillis(-1 - k), rule.retries()),
                            ".timeout")),
            new Named(
                    "route.retries.negative",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(
                                    rule.matches(),
                                    rule.backends(),
                                    rule.timeout(),
                                    new RetryPolicy(
                                            -1,
                                            rule.retries().perTryTimeout(),
                                            rule.retries().retryOn())),
                            ".retries.attempts")),
            new Named(
                    "route.perTryTimeout.negative",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(
                                    rule.matches(),
                                    rule.backends(),
                                    rule.timeout(),
                                    new RetryPolicy(
                                            rule.retries().attempts(),
                                            Duration.ofSeconds(-5),
                                            rule.retries().retryOn())),
                            ".retries.perTryTimeout")),
            new Named(
                    "route.fault.abortPercent.outOfRange",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> rule.withFault(new HttpFault(
                                    rule.fault().delay(), rule.fault().delayPercent(), 503, 101 + k)),
                            ".fault.abortPercent")),
            new Named(
                    "route.fault.abortStatus.invalid",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> rule.withFault(new HttpFault(
                                    rule.fault().delay(), rule.fault().delayPercent(), 600 + k, 50)),
                            ".fault.abortStatus")),
            new Named(
                    "route.fault.delay.negative",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> rule.withFault(new HttpFault(
                                    Duration.ofMillis(-1 - k),
                                    50,
                                    rule.fault().abortStatus(),
                                    rule.fault().abortPercent())),
                            ".fault.delay")),
            new Named(
                    "route.match.regex.invalid",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(
                                    first(
                                            rule.matches(),
                                            HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "(unclosed"))),
                                    rule.backends(),
                                    rule.timeout(),
                                    rule.retries()),
                            ".matches[0].path.value")),
            new Named(
                    "route.duplicate",
                    (s, k) -> later(s.routes(), k).map(j -> {
                        HttpRoute before = s.routes().get(j - 1);
                        HttpRoute r = s.routes().get(j);
                        return new Broken(
                                withRoutes(
                                        s,
                                        set(
                                                s.routes(),
                                                j,
                                                new HttpRoute(
                                                        before.namespace(), before.name(), r.service(), r.rules()))),
                                "routes[" + before.key() + "]");
                    })),
            new Named(
                    "workload.ip.repeated",
                    (s, k) -> workload(
                            s,
                            k,
                            w -> copy(
                                    w,
                                    w.namespace(),
                                    w.name(),
                                    w.node(),
                                    append(w.ips(), w.ips().getFirst()),
                                    w.identity()),
                            w -> "workloads[" + w.key() + "].ips[" + (w.ips().size() - 1) + "]")),
            new Named(
                    "service.vip.repeated",
                    (s, k) -> service(
                            s,
                            k,
                            v -> withVips(v, append(v.vips(), v.vips().getFirst())),
                            v -> at(v) + ".vips[" + v.vips().size() + "]")),
            new Named(
                    "policy.http.onNonL7Service",
                    (s, k) -> s.services().stream()
                            .filter(v -> !v.l7())
                            .findFirst()
                            .flatMap(plain -> policy(
                                    s,
                                    k,
                                    p -> new Policy(
                                            p.namespace(),
                                            p.name(),
                                            p.action(),
                                            p.sources(),
                                            p.destinations(),
                                            List.of(plain.key()),
                                            p.ports(),
                                            List.of(HttpMatch.path(PathMatch.prefix("/admin")))),
                                    p -> at(p) + ".services[0]"))),
            new Named(
                    "policy.http.method.invalid",
                    (s, k) -> policy(
                            s,
                            k,
                            p -> new Policy(
                                    p.namespace(),
                                    p.name(),
                                    p.action(),
                                    p.sources(),
                                    p.destinations(),
                                    List.of(),
                                    p.ports(),
                                    List.of(new HttpMatch(PathMatch.prefix("/"), "GET /", Map.of()))),
                            p -> at(p) + ".http[0].method")),
            new Named(
                    "route.backend.port.missing",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> {
                                WeightedBackend b = rule.backends().getFirst();
                                Service target = s.index().service(b.service()).orElseThrow();
                                int missing = 1;
                                while (missing < 65535 && hasPort(target, missing)) missing++;
                                return withBackends(
                                        rule,
                                        first(
                                                rule.backends(),
                                                new WeightedBackend(b.service(), missing, Math.max(1, b.weight()))));
                            },
                            ".backends[0].port")),
            new Named(
                    "route.match.regex.backtracking",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(
                                    first(
                                            rule.matches(),
                                            HttpMatch.path(new PathMatch(
                                                    PathMatch.Kind.REGEX,
                                                    List.of("/(a)\\1", "/(?=x).*", "/a++", "/(?>ab)")
                                                            .get(Math.floorMod(k, 4))))),
                                    rule.backends(),
                                    rule.timeout(),
                                    rule.retries()),
                            ".matches[0].path.value")),
            new Named(
                    "route.match.header.invalid",
                    (s, k) -> rule(
                            s,
                            k,
                            rule -> new HttpRouteRule(
                                    first(
                                            rule.matches(),
                                            new HttpMatch(PathMatch.prefix("/"), "", Map.of("x canary", "1"))),
                                    rule.backends(),
                                    rule.timeout(),
                                    rule.retries()),
                            ".matches[0].headers.x canary")),
            new Named(
                    "encryption.trustDomain.invalid",
                    (s, k) -> Optional.of(new Broken(
                            new MeshState(
                                    s.nodes(),
                                    s.workloads(),
                                    s.services(),
                                    s.policies(),
                                    s.routes(),
                                    new EncryptionSpec(
                                            s.encryption().mode(),
                                            s.encryption().enforcement(),
                                            "Cluster.Local")),
                            "encryption.trustDomain"))),
            // Always applicable: add a broken object.
            new Named(
                    "added.route.unknownService",
                    (s, k) -> Optional.of(new Broken(
                            withRoutes(
                                    s,
                                    append(
                                            s.routes(),
                                            new HttpRoute(
                                                    "default",
                                                    "ghost-route",
                                                    "ghost/svc-" + k,
                                                    List.of(new HttpRouteRule(
                                                            List.of(),
                                                            List.of(new WeightedBackend("ghost/svc-" + k, 0, 1)),
                                                            Duration.ZERO,
                                                            RetryPolicy.NONE))))),
                            "routes[default/ghost-route].service"))),
            new Named(
                    "added.policy.unknownIdentity",
                    (s, k) -> Optional.of(new Broken(
                            withPolicies(
                                    s,
                                    append(
                                            s.policies(),
                                            new Policy(
                                                    "default",
                                                    "ghost-policy",
                                                    PolicyAction.DENY,
                                                    List.of(GHOST_ID),
                                                    List.of(),
                                                    List.of(),
                                                    List.of(),
                                                    List.of()))),
                            "policies[default/ghost-policy].sources[0]"))));

    private Corruptions() {}

    /** Breaks {@code state} with one of the kinds that apply to it, chosen by {@code kind}, so every kind gets its turn. */
    static Corruption corrupt(MeshState state, int kind, int pick) {
        List<Corruption> applicable = new ArrayList<>();
        for (Named named : KINDS) {
            named.kind()
                    .apply(state, pick)
                    .ifPresent(b -> applicable.add(new Corruption(named.name(), state, b.state(), b.path())));
        }
        // The added.* kinds always apply, so the list is never empty.
        return applicable.get(Math.floorMod(kind, applicable.size()));
    }

    /** The kind called {@code name} applied to {@code state}, if it applies. */
    static Optional<Corruption> corrupt(MeshState state, String name, int pick) {
        Named named = KINDS.stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corruption kind '" + name + "'"));
        return named.kind().apply(state, pick).map(b -> new Corruption(name, state, b.state(), b.path()));
    }

    static List<String> names() {
        return KINDS.stream().map(Named::name).toList();
    }
}
