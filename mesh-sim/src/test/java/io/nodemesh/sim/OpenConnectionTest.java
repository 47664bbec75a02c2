package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What happens to connections that are already open when the state changes, and to affinity as time passes. */
class OpenConnectionTest {
    private final SimulatedDataplane dp = SimulatedDataplane.seeded(11);
    private final List<Workload> pods = SimWorld.webPods(3);

    @AfterEach
    void close() {
        dp.close();
    }

    private List<Endpoint> endpoints(EndpointState... states) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < states.length; i++)
            list.add(new Endpoint(pods.get(i).ips().getFirst(), pods.get(i).key(), states[i]));
        return list;
    }

    @Test
    void aNewDenyCutsAnOpenConnectionOffAtItsNextSend() {
        dp.apply(SimWorld.state(pods).build());
        SimConnection c =
                dp.connect(Source.workload("shop/client"), "10.244.1.11", 8080).connection();
        assertThat(dp.send(c, 10).delivered()).isTrue();

        List<FlowEvent> events = new ArrayList<>();
        dp.flows().subscribe(events::add);
        Policy deny = new Policy(
                "shop",
                "deny",
                PolicyAction.DENY,
                List.of(SimWorld.identity("client")),
                List.of(),
                List.of(),
                List.of(8080),
                List.of());
        dp.apply(SimWorld.state(pods).policy(deny).build());
        SendResult after = dp.send(c, 10);
        assertThat(after).isInstanceOfSatisfying(SendResult.Dropped.class, d -> {
            assertThat(d.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
            assertThat(d.reason()).contains("policy denies " + SimWorld.identity("client"));
        });
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(FlowEvent.Type.DROP);
            assertThat(e.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
        });
        // Lifting the deny lets the same connection carry bytes again.
        dp.apply(SimWorld.state(pods).build());
        assertThat(dp.send(c, 10).delivered()).isTrue();
    }

    @Test
    void terminatingAndRemovedEndpointsKeepTheirOpenConnections() {
        dp.apply(SimWorld.state(pods)
                .service(
                        SimWorld.webEndpoints(endpoints(EndpointState.READY, EndpointState.READY, EndpointState.READY)))
                .build());
        List<SimConnection> open = new ArrayList<>();
        Set<String> reached = new HashSet<>();
        while (reached.size() < 3) {
            SimConnection c =
                    dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80).connection();
            if (reached.add(c.backend().workload())) open.add(c);
        }
        List<Endpoint> changed =
                new ArrayList<>(endpoints(EndpointState.READY, EndpointState.TERMINATING, EndpointState.READY));
        changed.remove(2); // web-2 leaves the service entirely (its pod still exists)
        dp.apply(SimWorld.state(pods).service(SimWorld.webEndpoints(changed)).build());

        assertThat(open)
                .allSatisfy(c -> assertThat(dp.send(c, 1).delivered())
                        .as("open connection to %s", c.backend())
                        .isTrue());
        for (int i = 0; i < 30; i++) {
            assertThat(dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80)
                            .connection()
                            .backend()
                            .workload())
                    .isEqualTo("shop/web-0");
        }
    }

    @Test
    void aConnectionToAPodThatIsGoneIsDropped() {
        dp.apply(SimWorld.state(pods).build());
        SimConnection c =
                dp.connect(Source.workload("shop/client"), "10.244.1.11", 8080).connection();
        dp.apply(SimWorld.state(pods.subList(0, 1)).build());
        assertThat(dp.send(c, 1))
                .isEqualTo(new SendResult.Dropped(Verdict.NO_BACKEND, "backend workload shop/web-1 no longer exists"));
    }

    @Test
    void affinityHoldsWithinItsTimeoutAndExpiresOnTheVirtualClock() {
        dp.apply(SimWorld.state(pods)
                .service(SimWorld.web(LoadBalancing.RANDOM, SessionAffinity.clientIp(Duration.ofSeconds(10)), false))
                .build());
        String first = backendOf();
        for (int i = 0; i < 20; i++) {
            dp.advance(Duration.ofSeconds(9)); // each use refreshes the entry, so 9 s gaps never let it expire
            assertThat(backendOf()).isEqualTo(first);
        }
        Set<String> afterExpiry = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            dp.advance(Duration.ofSeconds(11)); // served while unused for at most the timeout, as in the kernel
            afterExpiry.add(backendOf());
        }
        // 30 fresh random picks over 3 backends all equal: probability 3^-29.
        assertThat(afterExpiry).hasSizeGreaterThan(1);
    }

    private String backendOf() {
        SimConnection c =
                dp.connect(Source.workload("shop/client"), SimWorld.VIP, 80).connection();
        dp.close(c);
        return c.backend().workload();
    }
}
