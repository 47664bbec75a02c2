package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link MeshIndex#of(MeshState, MeshIndex)} builds each index from the last one; whatever the sequence of states, every lookup must
 * equal that of an index built from scratch ({@code new MeshIndex(state)}).
 * <p>
 * States are made by hand from small pools of names and addresses, so keys, names and addresses collide (duplicates
 * included: the index is defined for any state, and the first object of a key wins); steps are the changes a running
 * mesh goes through — a few services replaced in place (one endpoint, ports, load balancing), more than the index
 * replaces one by one, services added, removed, renamed or reordered, workloads and nodes changed — and sometimes an
 * older state is indexed again.
 */
class MeshIndexIncrementalPropertiesTest {
    private static final List<String> IPS =
            List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.7", "fd00::1", "fd00:0:0::2", "FD00::3", "10.9.9.9");

    @Property(tries = 80)
    void incrementalIndexLooksUpLikeAFreshOne(@ForAll long seed, @ForAll @IntRange(min = 1, max = 25) int steps) {
        Random rnd = new Random(seed);
        List<MeshState> seen = new ArrayList<>();
        MeshState state = randomState(rnd);
        check(state);
        seen.add(state);
        for (int step = 0; step < steps; step++) {
            state = next(state, rnd);
            seen.add(state);
            check(state);
            if (rnd.nextInt(6) == 0) check(seen.get(rnd.nextInt(seen.size()))); // an older state again
        }
    }

    /** The typical production sequence: large service list, one endpoint changed per apply. */
    @Property(tries = 20)
    void oneEndpointChangePerStep(@ForAll long seed) {
        Random rnd = new Random(seed);
        MeshState state = randomState(rnd, 90 + rnd.nextInt(40));
        check(state);
        for (int step = 0; step < 15; step++) {
            Service s = state.services().get(rnd.nextInt(state.services().size()));
            state = state.withService(
                    s.key(), x -> x.withEndpoints(List.of(new Endpoint(pick(rnd, IPS), "", EndpointState.READY))));
            check(state);
        }
    }

    /** The index the last check built: the base of the next, as a backend's pipeline keeps it. */
    private MeshIndex last;

    private void check(MeshState state) {
        MeshIndex incremental = MeshIndex.of(state, last);
        last = incremental;
        MeshIndex fresh = MeshIndex.of(state);
        assertThat(incremental.state()).isSameAs(state);
        for (String ns : List.of("a", "b")) {
            for (int i = 0; i < 100; i++) {
                String key = ns + "/s" + i;
                assertThat(incremental.service(key)).as("service %s", key).isEqualTo(fresh.service(key));
            }
            for (int i = 0; i < 10; i++) {
                String key = ns + "/w" + i;
                assertThat(incremental.workload(key)).as("workload %s", key).isEqualTo(fresh.workload(key));
            }
        }
        for (int i = 0; i < 6; i++) assertThat(incremental.node("n" + i)).isEqualTo(fresh.node("n" + i));
        for (String ip : IPS) {
            assertThat(incremental.workloadByIp(ip)).as("ip %s", ip).isEqualTo(fresh.workloadByIp(ip));
            assertThat(incremental.identityOf(ip)).isEqualTo(fresh.identityOf(ip));
        }
        assertThat(incremental.workloadByIp("fd00::2")).isEqualTo(fresh.workloadByIp("fd00::2"));
        for (Service s : state.services()) {
            assertThat(incremental.endpoints(s)).isEqualTo(fresh.endpoints(s));
            for (ServicePort p : s.ports()) {
                for (String vip : s.vips()) {
                    assertThat(incremental.serviceByVip(vip, p.port(), p.protocol()))
                            .isEqualTo(fresh.serviceByVip(vip, p.port(), p.protocol()));
                }
            }
        }
        for (String src : List.of("id-0", "id-1", "host", "id-2")) {
            for (String dst : List.of("id-0", "id-1", "id-3")) {
                for (String svc : List.of("", "a/s0", "b/s1")) {
                    assertThat(incremental.allows(src, dst, svc, 80)).isEqualTo(fresh.allows(src, dst, svc, 80));
                }
            }
        }
    }

    private static MeshState next(MeshState s, Random rnd) {
        List<Service> services = new ArrayList<>(s.services());
        switch (rnd.nextInt(12)) {
            case 0, 1, 2 -> { // one service changed in place: endpoints, ports, load balancing
                if (services.isEmpty()) return with(s, List.of(service(rnd)));
                Service old = pick(rnd, services);
                return s.withService(old.key(), x -> changed(x, rnd));
            }
            case 3 -> { // several, possibly more than the index replaces one by one
                int n = 1 + rnd.nextInt(70);
                for (int k = 0; k < n && !services.isEmpty(); k++) {
                    int i = rnd.nextInt(services.size());
                    services.set(i, changed(services.get(i), rnd));
                }
                return with(s, services);
            }
            case 4 -> { // added
                services.add(rnd.nextInt(services.size() + 1), service(rnd));
                return with(s, services);
            }
            case 5 -> { // removed
                if (!services.isEmpty()) services.remove(rnd.nextInt(services.size()));
                return with(s, services);
            }
            case 6 -> { // renamed in place: same position, another key
                if (services.isEmpty()) return s;
                int i = rnd.nextInt(services.size());
                Service o = services.get(i);
                services.set(
                        i,
                        new Service(
                                o.namespace(),
                                "s" + rnd.nextInt(100),
                                o.vips(),
                                o.ports(),
                                o.endpoints(),
                                o.selector(),
                                o.loadBalancing(),
                                o.affinity(),
                                o.l7() ? ServiceLayer.L7 : ServiceLayer.L4));
                return with(s, services);
            }
            case 7 -> { // reordered
                Collections.shuffle(services, rnd);
                return with(s, services);
            }
            case 8 -> { // one removed and one added: same size, another key at some position
                if (services.isEmpty()) return s;
                services.remove(rnd.nextInt(services.size()));
                services.add(rnd.nextInt(services.size() + 1), service(rnd));
                return with(s, services);
            }
            case 9 -> { // workloads change (selectors resolve to other endpoints), services stay the same objects
                List<Workload> workloads = new ArrayList<>(s.workloads());
                if (!workloads.isEmpty() && rnd.nextBoolean()) workloads.remove(rnd.nextInt(workloads.size()));
                else workloads.add(workload(rnd));
                return new MeshState(s.nodes(), workloads, s.services(), s.policies(), s.routes(), s.encryption());
            }
            case 10 -> { // nodes change
                List<Node> nodes = new ArrayList<>(s.nodes());
                if (!nodes.isEmpty() && rnd.nextBoolean()) nodes.remove(rnd.nextInt(nodes.size()));
                else nodes.add(node(rnd));
                return new MeshState(nodes, s.workloads(), s.services(), s.policies(), s.routes(), s.encryption());
            }
            default -> { // the same lists in a new state (a policy-only change)
                return new MeshState(
                        s.nodes(),
                        s.workloads(),
                        s.services(),
                        rnd.nextBoolean() ? s.policies() : policies(rnd),
                        s.routes(),
                        s.encryption());
            }
        }
    }

    private static MeshState with(MeshState s, List<Service> services) {
        return new MeshState(s.nodes(), s.workloads(), services, s.policies(), s.routes(), s.encryption());
    }

    private static Service changed(Service s, Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 ->
                s.withEndpoints(List.of(new Endpoint(pick(rnd, IPS), "a/w" + rnd.nextInt(10), EndpointState.READY)));
            case 1 -> s.withLoadBalancing(pick(rnd, List.of(LoadBalancing.values())));
            case 2 ->
                new Service(
                        s.namespace(),
                        s.name(),
                        s.vips(),
                        List.of(ServicePort.tcp(1 + rnd.nextInt(9), 80)),
                        s.endpoints(),
                        s.selector(),
                        s.loadBalancing(),
                        s.affinity(),
                        s.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
            default ->
                new Service(
                        s.namespace(),
                        s.name(),
                        s.vips(),
                        s.ports(),
                        s.endpoints(),
                        s.selector(),
                        s.loadBalancing(),
                        s.affinity(),
                        !s.l7() ? ServiceLayer.L7 : ServiceLayer.L4); // an equal-key copy, l7 flipped
        };
    }

    private static MeshState randomState(Random rnd) {
        return randomState(rnd, rnd.nextInt(4) == 0 ? 60 + rnd.nextInt(60) : rnd.nextInt(12));
    }

    private static MeshState randomState(Random rnd, int serviceCount) {
        List<Node> nodes = new ArrayList<>();
        for (int i = rnd.nextInt(5); i >= 0; i--) nodes.add(node(rnd));
        List<Workload> workloads = new ArrayList<>();
        for (int i = rnd.nextInt(8); i >= 0; i--) workloads.add(workload(rnd));
        List<Service> services = new ArrayList<>();
        // mostly distinct keys, as valid states have; sometimes a duplicate
        List<Integer> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) names.add(i);
        Collections.shuffle(names, rnd);
        for (int i = 0; i < serviceCount; i++) {
            Service s = service(rnd);
            int name = rnd.nextInt(20) == 0 ? rnd.nextInt(100) : names.get(i % 100);
            services.add(new Service(
                    i < 100 ? "a" : "b",
                    "s" + name,
                    s.vips(),
                    s.ports(),
                    s.endpoints(),
                    s.selector(),
                    s.loadBalancing(),
                    s.affinity(),
                    s.l7() ? ServiceLayer.L7 : ServiceLayer.L4));
        }
        return new MeshState(nodes, workloads, services, policies(rnd), List.of(), EncryptionSpec.NONE);
    }

    private static Node node(Random rnd) {
        int n = rnd.nextInt(6);
        return Node.of("n" + n, "192.168.0." + (n + rnd.nextInt(2)), "10." + n + ".0.0/24");
    }

    private static Workload workload(Random rnd) {
        List<String> ips = new ArrayList<>();
        for (int i = rnd.nextInt(3); i > 0; i--) ips.add(pick(rnd, IPS));
        return new Workload(
                pick(rnd, List.of("a", "b")),
                "w" + rnd.nextInt(10),
                "n" + rnd.nextInt(6),
                ips,
                "id-" + rnd.nextInt(4),
                Map.of("app", "app" + rnd.nextInt(3)),
                null);
    }

    private static Service service(Random rnd) {
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, String> selector = Map.of();
        if (rnd.nextBoolean()) selector = Map.of("app", "app" + rnd.nextInt(3));
        else
            for (int i = rnd.nextInt(3); i > 0; i--)
                endpoints.add(new Endpoint(
                        pick(rnd, IPS), "a/w" + rnd.nextInt(10), pick(rnd, List.of(EndpointState.values()))));
        List<ServicePort> ports = new ArrayList<>();
        ports.add(rnd.nextBoolean() ? ServicePort.tcp(80, 8080) : ServicePort.udp(53, 53));
        if (rnd.nextBoolean()) ports.add(ServicePort.tcp(443, 8443));
        return new Service(
                pick(rnd, List.of("a", "b")),
                "s" + rnd.nextInt(100),
                List.of("10.96.0." + rnd.nextInt(5)),
                ports,
                endpoints,
                selector,
                pick(rnd, List.of(LoadBalancing.values())),
                null,
                rnd.nextBoolean() ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    private static List<Policy> policies(Random rnd) {
        List<Policy> out = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            out.add(new Policy(
                    "a",
                    "p" + i,
                    pick(rnd, List.of(PolicyAction.values())),
                    List.of("id-" + rnd.nextInt(3)),
                    List.of(rnd.nextBoolean() ? "*" : "id-" + rnd.nextInt(4)),
                    rnd.nextBoolean() ? List.of() : List.of("a/s0"),
                    rnd.nextBoolean() ? List.of() : List.of(80),
                    List.of()));
        }
        return out;
    }

    private static <T> T pick(Random rnd, List<T> from) {
        return from.get(rnd.nextInt(from.size()));
    }
}
