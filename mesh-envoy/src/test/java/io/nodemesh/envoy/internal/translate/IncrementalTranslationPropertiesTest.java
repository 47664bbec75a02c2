package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.contract.gen.MeshStates;
import io.nodemesh.contract.gen.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link MeshTranslator#shared}'s incremental path (services replaced in place, the rest of the last translation kept)
 * always gives what a fresh translator gives, over several successive applies, with or without mTLS.
 */
class IncrementalTranslationPropertiesTest {
    /** Up to 90 services, so that a step may replace more than the translator replaces one by one (64). */
    private static final Sizes SIZES = new Sizes(3, 3, 90, 3, 4);

    /** Generated states, half of them grown to 70..100 services by copies under new names and VIPs. */
    @Provide
    Arbitrary<MeshState> valid() {
        return net.jqwik.api.Combinators.combine(
                        MeshStates.validStates(SIZES),
                        net.jqwik.api.Arbitraries.integers().between(0, 100))
                .as((s, grow) -> grow < 50 || s.services().isEmpty() ? s : grown(s, 70 + grow % 31))
                .filter(s -> !s.services().isEmpty()
                        && s.validate().isEmpty()
                        && EnvoyValidator.validate(s).isEmpty());
    }

    private static MeshState grown(MeshState s, int target) {
        List<Service> services = new ArrayList<>(s.services());
        for (int copy = 0; services.size() < target; copy++) {
            Service o = s.services().get(copy % s.services().size());
            services.add(new Service(
                    o.namespace(),
                    o.name() + "-copy" + copy,
                    List.of("10.99." + copy / 200 + "." + (1 + copy % 200)),
                    o.ports(),
                    o.endpoints(),
                    o.selector(),
                    o.loadBalancing(),
                    o.affinity(),
                    o.l7() ? ServiceLayer.L7 : ServiceLayer.L4));
        }
        return new MeshState(s.nodes(), s.workloads(), services, s.policies(), s.routes(), s.encryption());
    }

    @Property(tries = 80)
    void reusedTranslatorEqualsAFreshOne(
            @ForAll("valid") MeshState start, @ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int steps) {
        run(start, seed, steps);
    }

    @Property(tries = 40)
    void reusedTranslatorEqualsAFreshOneWithMtls(
            @ForAll("valid") MeshState start, @ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int steps) {
        MeshState mtls = new MeshState(
                start.nodes(),
                start.workloads(),
                start.services(),
                start.policies(),
                start.routes(),
                new EncryptionSpec(
                        EncryptionSpec.Mode.MTLS,
                        (seed % 2 == 0 ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE),
                        "cluster.local"));
        if (!EnvoyValidator.validate(mtls).isEmpty()) return;
        run(mtls, seed, steps);
    }

    private static void run(MeshState start, long seed, int steps) {
        Random rnd = new Random(seed);
        MeshTranslator reused = new MeshTranslator(15001);
        MeshState state = start;
        assertThat(reused.shared(state)).isEqualTo(new MeshTranslator(15001).shared(state));
        int applied = 0;
        for (int step = 0; step < steps; step++) {
            MeshState next = null;
            for (int attempt = 0; next == null && attempt < 8; attempt++)
                next = step(state, rnd); // a change may be invalid
            if (next == null) continue;
            state = next;
            applied++;
            MeshResources incremental = reused.shared(state);
            MeshResources fresh = new MeshTranslator(15001).shared(state);
            assertThat(incremental.clusters())
                    .as("clusters after step %d", step)
                    .isEqualTo(fresh.clusters());
            assertThat(incremental.endpoints())
                    .as("endpoints after step %d", step)
                    .isEqualTo(fresh.endpoints());
            assertThat(incremental.routes()).as("routes after step %d", step).isEqualTo(fresh.routes());
            assertThat(incremental.listeners())
                    .as("listeners after step %d", step)
                    .isEqualTo(fresh.listeners());
            assertThat(incremental).isEqualTo(fresh);
            // and translating the same state again changes nothing
            assertThat(reused.shared(state)).isEqualTo(fresh);
        }
        net.jqwik.api.statistics.Statistics.label("services")
                .collect(
                        start.services().size() > 64
                                ? "more than 64"
                                : start.services().size() > 10 ? "11..64" : "1..10");
        net.jqwik.api.statistics.Statistics.label("steps applied")
                .collect(start.services().size() > 64 ? "large: " + applied : "small: " + applied);
    }

    /** 1..70 services replaced by changed copies (same keys, same order), routes kept or not; null if that is invalid. */
    private static MeshState step(MeshState s, Random rnd) {
        List<Service> services = new ArrayList<>(s.services());
        int n = 1 + rnd.nextInt(Math.min(70, services.size()));
        for (int k = 0; k < n; k++) {
            int i = rnd.nextInt(services.size());
            services.set(i, changed(services.get(i), rnd));
        }
        List<HttpRoute> routes = s.routes();
        int routeChoice = rnd.nextInt(4);
        if (routeChoice == 0 && !routes.isEmpty()) routes = routes.subList(0, routes.size() - 1); // one dropped
        else if (routeChoice == 1) routes = new ArrayList<>(routes); // equal, another list object
        MeshState next = new MeshState(s.nodes(), s.workloads(), services, s.policies(), routes, s.encryption());
        return next.validate().isEmpty() && EnvoyValidator.validate(next).isEmpty() ? next : null;
    }

    private static Service changed(Service s, Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 ->
                s.selector().isEmpty()
                        ? s.withEndpoints(endpoints(s, rnd))
                        : s.withLoadBalancing(LoadBalancing.values()[rnd.nextInt(LoadBalancing.values().length)]);
            case 1 -> { // ports: one more, one fewer, or a renumbered one
                List<ServicePort> ports = new ArrayList<>(s.ports());
                int pick = rnd.nextInt(3);
                if (pick == 0) ports.add(ServicePort.tcp(20000 + rnd.nextInt(1000), 8000 + rnd.nextInt(100)));
                else if (pick == 1 && ports.size() > 1) ports.removeLast();
                else if (rnd.nextBoolean()) { // the target port (what policies and backends see)
                    ServicePort p = ports.getFirst();
                    ports.set(0, new ServicePort(p.name(), p.port(), 1 + rnd.nextInt(65535), p.protocol()));
                } else { // the service port (the outbound chain's match, the listener and cluster names)
                    ServicePort p = ports.getFirst();
                    ports.set(0, new ServicePort(p.name(), 30000 + rnd.nextInt(30000), p.targetPort(), p.protocol()));
                }
                yield new Service(
                        s.namespace(),
                        s.name(),
                        s.vips(),
                        ports,
                        s.endpoints(),
                        s.selector(),
                        s.loadBalancing(),
                        s.affinity(),
                        s.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
            }
            case 2 ->
                new Service(
                        s.namespace(),
                        s.name(),
                        s.vips(),
                        s.ports(),
                        s.endpoints(),
                        s.selector(),
                        s.loadBalancing(),
                        s.affinity(),
                        !s.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
            case 3 -> s.withLoadBalancing(LoadBalancing.values()[rnd.nextInt(LoadBalancing.values().length)]);
            // an equal copy: another object, same content
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
                        s.l7() ? ServiceLayer.L7 : ServiceLayer.L4);
        };
    }

    private static List<Endpoint> endpoints(Service s, Random rnd) {
        List<Endpoint> out = new ArrayList<>(s.endpoints());
        if (!out.isEmpty() && rnd.nextBoolean()) {
            Endpoint e = out.remove(rnd.nextInt(out.size()));
            if (rnd.nextBoolean())
                out.add(new Endpoint(
                        e.ip(), e.workload(), EndpointState.values()[rnd.nextInt(EndpointState.values().length)]));
        } else {
            out.add(Endpoint.ready("192.0.2." + (1 + rnd.nextInt(250)), ""));
        }
        return out;
    }
}
