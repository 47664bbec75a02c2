package io.nodemesh.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.TcpHealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's ejection over the real simulator backend, with the probe answers set by the test (the real prober is
 * {@link SocketProberTest}'s and the root test's): an endpoint that fails its probes is given to the backend not ready,
 * and ready again once it passes; the caller's state stays what it applied.
 */
class HealthCheckedDataplaneTest {
    private static final HealthCheckSchedule FAST =
            new HealthCheckSchedule(Duration.ofMillis(20), Duration.ofMillis(10), 2, 3);

    private final Set<String> dead = ConcurrentHashMap.newKeySet();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final MeshDataplane sim = Dataplanes.open("sim", DataplaneOptions.forNode("node-a"));
    private final HealthCheckedDataplane dp =
            new HealthCheckedDataplane(sim, t -> !dead.contains(t.ip()), reports::add);

    @AfterEach
    void close() {
        dp.close();
        sim.close();
    }

    private static MeshState state(HealthCheckSchedule schedule) {
        MeshState base = EffectiveStateTest.state();
        Service web = base.services().getFirst().toBuilder()
                .healthCheck(new TcpHealthCheck(80, schedule))
                .build();
        return base.toBuilder().removeService("shop/web").service(web).build();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        // A liveness wait, not a timing assertion: generous, and it returns as soon as the condition holds.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
            Thread.sleep(5);
        }
    }

    private EndpointState inBackend(String ip) {
        Service web = sim.state().index().service("shop/web").orElseThrow();
        return sim.state().index().endpoints(web).stream()
                .filter(e -> e.ip().equals(ip))
                .map(Endpoint::state)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aFailingEndpointIsEjectedForEveryNodeAndRestoredWhenItPasses() throws Exception {
        MeshState desired = state(FAST);
        dp.apply(desired);
        assertThat(dp.state()).isSameAs(desired);
        assertThat(sim.state()).isEqualTo(desired);

        dead.add("10.0.0.11");
        await("10.0.0.11 ejected", () -> inBackend("10.0.0.11") == EndpointState.NOT_READY);
        assertThat(inBackend("10.0.0.10")).isEqualTo(EndpointState.READY);
        assertThat(dp.state()).isSameAs(desired);
        assertThat(dp.effective()).isEqualTo(sim.state());
        assertThat(dp.health())
                .anySatisfy(h -> assertThat(h.problems())
                        .containsExactly("endpoint 10.0.0.11 of service shop/web fails its health check and gets no new"
                                + " connections"));
        assertThat(reports).anySatisfy(r -> assertThat(r).startsWith("ejected endpoint 10.0.0.11 of service shop/web"));

        dead.clear();
        await("10.0.0.11 restored", () -> inBackend("10.0.0.11") == EndpointState.READY);
        assertThat(dp.unhealthy()).isEmpty();
        assertThat(reports).anySatisfy(r -> assertThat(r).startsWith("restored endpoint 10.0.0.11"));
    }

    @Test
    void aNewStateKeepsTheEjectionAndADroppedCheckEndsIt() throws Exception {
        dp.apply(state(FAST));
        dead.add("10.0.0.10");
        await("10.0.0.10 ejected", () -> inBackend("10.0.0.10") == EndpointState.NOT_READY);

        // Another change (a new service): the ejection is carried into the new effective state.
        MeshState more = state(FAST).toBuilder()
                .service(Service.builder("shop", "other")
                        .vip("10.96.0.12")
                        .tcp(80, 8080)
                        .endpoint("10.0.0.10", "shop/web-0")
                        .build())
                .build();
        dp.apply(more);
        assertThat(inBackend("10.0.0.10")).isEqualTo(EndpointState.NOT_READY);

        // Without a health check there is nothing to eject by.
        MeshState unchecked = EffectiveStateTest.state().toBuilder()
                .removeService("shop/web")
                .service(EffectiveStateTest.state().services().getFirst().withResilience(null))
                .build();
        dp.apply(unchecked);
        assertThat(sim.state()).isEqualTo(unchecked);
        assertThat(dp.unhealthy()).isEmpty();
    }

    @Test
    void anInvalidStateIsRefusedAndTheRunningOneKeepsServing() throws Exception {
        dp.apply(state(FAST));
        dead.add("10.0.0.10");
        await("10.0.0.10 ejected", () -> inBackend("10.0.0.10") == EndpointState.NOT_READY);
        MeshState effectiveBefore = sim.state();
        MeshState bad = state(FAST).toBuilder()
                .service(Service.builder("shop", "web")
                        .vip("10.96.0.99")
                        .tcp(81, 81)
                        .build())
                .build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dp.apply(bad))
                .isInstanceOf(io.nodemesh.api.InvalidStateException.class)
                .hasMessageContaining("duplicate service shop/web");
        assertThat(sim.state()).isEqualTo(effectiveBefore);
    }
}
