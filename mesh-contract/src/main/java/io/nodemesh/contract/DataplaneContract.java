package io.nodemesh.contract;

import static io.nodemesh.contract.ContractFixture.DNS;
import static io.nodemesh.contract.ContractFixture.NS;
import static io.nodemesh.contract.ContractFixture.OTHER_VIP;
import static io.nodemesh.contract.ContractFixture.SERVICE_PORT;
import static io.nodemesh.contract.ContractFixture.UDP_VIP;
import static io.nodemesh.contract.ContractFixture.VIP;
import static io.nodemesh.contract.ContractFixture.WEB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scenarios every backend must pass, written once. A backend's test extends this class and supplies a fresh
 * {@link ContractHarness} per test from {@link #newHarness()}; the harness is closed after each test, pass or fail.
 * <p>
 * Each scenario makes at most a few hundred connections, so a kernel backend can run them with real sockets.
 * Statistical checks are sized so a correct backend fails them with probability below 1e-6.
 */
public abstract class DataplaneContract {
    /** How long to wait for an asynchronous backend's flow event to arrive; a wait, not a timing assertion. */
    private static final Duration FLOW_WAIT = Duration.ofSeconds(10);

    private ContractHarness harness;
    private Flows.Subscription subscription;
    private final List<FlowEvent> flows = new CopyOnWriteArrayList<>();
    private ContractFixture fixture;

    /** A new harness: a freshly opened dataplane and nothing started yet. */
    protected abstract ContractHarness newHarness();

    @BeforeEach
    final void openHarness() {
        harness = newHarness();
        subscription = harness.dataplane().flows().subscribe(flows::add);
        fixture = new ContractFixture(harness);
    }

    @AfterEach
    final void closeHarness() {
        try {
            if (subscription != null) subscription.close();
        } finally {
            if (harness != null) harness.close();
        }
    }

    protected final MeshDataplane dataplane() {
        return harness.dataplane();
    }

    // --- load balancing -------------------------------------------------------------------------------------------

    @Test
    void vipReachesOnlyReadyBackends() {
        apply(fixture.base()
                .service(fixture.webWithEndpoints(EndpointState.READY, EndpointState.NOT_READY, EndpointState.READY)));
        Map<String, Integer> reached = spread(client(), VIP, 60);
        // Either ready backend is missed in 60 fair coin flips with probability 2^-59.
        assertThat(reached.keySet()).containsExactlyInAnyOrder(backend(0), backend(2));
    }

    @Test
    void loadSpreadsAcrossThreeBackends() {
        apply(fixture.base().service(ContractFixture.web()));
        Map<String, Integer> reached = spread(client(), VIP, 300);
        assertThat(reached.keySet()).containsExactlyInAnyOrderElementsOf(fixture.backendKeys());
        // Binomial(300, 1/3): P(some backend < 60 or > 145) ≈ 2.5e-7 for a uniform choice.
        assertThat(reached.values()).allSatisfy(n -> assertThat(n).isBetween(60, 145));
    }

    @Test
    void roundRobinVisitsEveryBackendInTurn() {
        apply(fixture.base().service(ContractFixture.web(LoadBalancing.ROUND_ROBIN, SessionAffinity.NONE)));
        List<String> sequence = new ArrayList<>();
        for (int i = 0; i < 9; i++) sequence.add(reach(client(), VIP));
        assertThat(new HashSet<>(sequence.subList(0, 3))).containsExactlyInAnyOrderElementsOf(fixture.backendKeys());
        for (int i = 3; i < sequence.size(); i++) {
            assertThat(sequence.get(i)).as("connection %d of %s", i, sequence).isEqualTo(sequence.get(i % 3));
        }
    }

    @Test
    void sessionAffinitySticks() {
        apply(fixture.base()
                .service(ContractFixture.web(LoadBalancing.RANDOM, SessionAffinity.clientIp(Duration.ofHours(3)))));
        Map<String, Integer> reached = spread(client(), VIP, 30);
        // Without affinity, 30 random picks all landing on one backend has probability 3^-29.
        assertThat(reached).hasSize(1);
    }

    @Test
    void removedEndpointGetsNoNewConnections() {
        apply(fixture.base()
                .service(fixture.webWithEndpoints(EndpointState.READY, EndpointState.READY, EndpointState.READY)));
        // Before the removal it is in use: missed by 40 random picks with probability (2/3)^40 ≈ 9e-8.
        assertThat(spread(client(), VIP, 40)).containsKey(backend(1));
        Service twoLeft = fixture.webWithEndpoints(EndpointState.READY, EndpointState.READY, EndpointState.READY);
        twoLeft = twoLeft.withEndpoints(
                List.of(twoLeft.endpoints().get(0), twoLeft.endpoints().get(2)));
        apply(fixture.base().service(twoLeft));
        assertThat(spread(client(), VIP, 60).keySet()).containsExactlyInAnyOrder(backend(0), backend(2));
    }

    @Test
    void terminatingBackendGetsNoNewConnections() {
        apply(fixture.base()
                .service(
                        fixture.webWithEndpoints(EndpointState.READY, EndpointState.READY, EndpointState.TERMINATING)));
        assertThat(spread(client(), VIP, 60).keySet()).containsExactlyInAnyOrder(backend(0), backend(1));
    }

    // --- policy ---------------------------------------------------------------------------------------------------

    @Test
    void denyPolicyBlocksAndEmitsADroppedFlow() {
        Policy deny = new Policy(
                NS,
                "deny-client",
                PolicyAction.DENY,
                List.of(fixture.client.identity()),
                List.of(),
                List.of(WEB),
                List.of(),
                List.of());
        apply(fixture.base().service(ContractFixture.web()).policy(deny));
        ConnectOutcome denied = harness.connect(client(), VIP, SERVICE_PORT);
        assertThat(denied.reached())
                .as("client denied by policy, got %s", denied)
                .isFalse();
        // A kernel may see the client by address or only by its workload (connect4 runs before a source address is
        // bound).
        awaitFlow(
                f -> f.verdict() == Verdict.DROPPED_POLICY
                        && (f.source().ip().equals(client().ip())
                                || f.source().workload().equals(fixture.client.key())),
                "a DROPPED_POLICY flow from " + fixture.client.key() + " (" + client().ip() + ")");
        // The deny names one source: everyone else still gets through.
        assertThat(fixture.backendKeys()).contains(reach(otherClient(), VIP));
    }

    @Test
    void anAllowRuleMakesItsDestinationDefaultDeny() {
        Policy allow = new Policy(
                NS,
                "allow-client",
                PolicyAction.ALLOW,
                List.of(fixture.client.identity()),
                List.of(),
                List.of(WEB),
                List.of(),
                List.of());
        apply(fixture.base()
                .service(ContractFixture.web())
                .service(ContractFixture.api())
                .policy(allow));
        assertThat(fixture.backendKeys()).contains(reach(client(), VIP));
        assertThat(harness.connect(otherClient(), VIP, SERVICE_PORT).reached())
                .as("other is not allowed to web")
                .isFalse();
        assertThat(harness.connect(harness.hostClient(fixture.nodes.getFirst().name()), VIP, SERVICE_PORT)
                        .reached())
                .as("a host process is not allowed to web either")
                .isFalse();
        // contract/api reaches the same pods but no allow selects it, so it stays open to all.
        assertThat(fixture.backendKeys()).contains(reach(otherClient(), OTHER_VIP));
    }

    @Test
    void hostProcessIsLoadBalancedAndPoliced() {
        String node = fixture.nodes.getFirst().name();
        Client host = harness.hostClient(node);
        assertThat(host.isHostProcess()).isTrue();
        MeshState.Builder open = fixture.base().service(ContractFixture.web());
        apply(open);
        // 30 random picks landing on one backend only: probability 3 * 3^-30.
        assertThat(spread(host, VIP, 30).size()).isGreaterThanOrEqualTo(2);

        Policy denyHost = new Policy(
                NS,
                "deny-host",
                PolicyAction.DENY,
                List.of(Identities.HOST),
                List.of(),
                List.of(WEB),
                List.of(),
                List.of());
        apply(fixture.base().service(ContractFixture.web()).policy(denyHost));
        assertThat(harness.connect(host, VIP, SERVICE_PORT).reached())
                .as("host process denied by policy")
                .isFalse();
        awaitFlow(
                f -> f.verdict() == Verdict.DROPPED_POLICY
                        && f.source().identity().equals(Identities.HOST),
                "a DROPPED_POLICY flow from a host process");
        assertThat(fixture.backendKeys()).contains(reach(client(), VIP));
    }

    // --- UDP (skipped on a harness that does not override ContractHarness#exchangeUdp) -----------------------------

    @Test
    void udpVipReachesEveryBackendAndTheReplyComesFromTheVip() {
        apply(fixture.base().service(ContractFixture.udpWeb()));
        Map<String, Integer> reached = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            ConnectOutcome outcome = exchangeUdp(client(), UDP_VIP);
            if (!(outcome instanceof ConnectOutcome.Reached(String workload))) {
                fail("datagram %d from %s to %s:%d: %s", i, client(), UDP_VIP, SERVICE_PORT, outcome);
                return;
            }
            reached.merge(workload, 1, Integer::sum);
        }
        // Each new socket is balanced afresh: a backend missed by 60 uniform picks has probability 3 * (2/3)^60 ≈
        // 8e-11.
        assertThat(reached.keySet()).containsExactlyInAnyOrderElementsOf(fixture.backendKeys());
    }

    @Test
    void udpDenyDropsTheDatagram() {
        Policy deny = new Policy(
                NS,
                "deny-client-dns",
                PolicyAction.DENY,
                List.of(fixture.client.identity()),
                List.of(),
                List.of(DNS),
                List.of(),
                List.of());
        apply(fixture.base().service(ContractFixture.udpWeb()).policy(deny));
        ConnectOutcome denied = exchangeUdp(client(), UDP_VIP);
        assertThat(denied.reached())
                .as("client's datagram denied by policy, got %s", denied)
                .isFalse();
        awaitFlow(
                f -> f.verdict() == Verdict.DROPPED_POLICY && f.service().equals(DNS),
                "a DROPPED_POLICY flow for " + DNS);
        assertThat(exchangeUdp(otherClient(), UDP_VIP).reached())
                .as("other is not named by the deny")
                .isTrue();
    }

    // --- apply semantics ------------------------------------------------------------------------------------------

    @Test
    void invalidStateIsRejectedAndThePreviousStateKeepsServing() {
        MeshState good = fixture.base().service(ContractFixture.web()).build();
        dataplane().apply(good);
        MeshState bad = good.withService(
                WEB,
                s -> new Service(
                        s.namespace(),
                        s.name(),
                        s.vips(),
                        List.of(ServicePort.tcp(0, ContractFixture.TARGET_PORT)),
                        s.endpoints(),
                        s.selector(),
                        s.loadBalancing(),
                        s.affinity(),
                        s.l7() ? ServiceLayer.L7 : ServiceLayer.L4));
        assertThatThrownBy(() -> dataplane().apply(bad))
                .isInstanceOfSatisfying(
                        InvalidStateException.class,
                        e -> assertThat(e.violations())
                                .extracting(Violation::path)
                                .contains("services[" + WEB + "].ports[0].port"));
        assertThat(dataplane().state()).isEqualTo(good);
        assertThat(fixture.backendKeys()).contains(reach(client(), VIP));
    }

    @Test
    void applyingTheSameStateTwiceChangesNothing() {
        MeshState state = fixture.base().service(ContractFixture.web()).build();
        ApplyResult first = dataplane().apply(state);
        assertThat(first.unchanged()).isFalse();
        assertThat(first.changes()).extracting(ApplyResult.Change::key).contains(WEB);
        ApplyResult second = dataplane().apply(state);
        assertThat(second.unchanged()).isTrue();
        assertThat(second.generation()).isEqualTo(first.generation());
        assertThat(dataplane().state()).isEqualTo(state);
        assertThat(fixture.backendKeys()).contains(reach(client(), VIP));
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    protected final Client client() {
        return harness.clientIn(fixture.client);
    }

    protected final Client otherClient() {
        return harness.clientIn(fixture.other);
    }

    private String backend(int i) {
        return fixture.backendKeys().get(i);
    }

    private void apply(MeshState.Builder state) {
        dataplane().apply(state.build());
    }

    /** One connection that must reach a workload; returns which. */
    protected final String reach(Client from, String ip) {
        ConnectOutcome outcome = harness.connect(from, ip, SERVICE_PORT);
        if (outcome instanceof ConnectOutcome.Reached(String workload)) return workload;
        return fail("connection from %s to %s:%d failed: %s", from, ip, SERVICE_PORT, outcome);
    }

    /** {@code n} connections that must all reach a workload; how many reached each. */
    protected final Map<String, Integer> spread(Client from, String ip, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) counts.merge(reach(from, ip), 1, Integer::sum);
        return counts;
    }

    /** {@link ContractHarness#exchangeUdp} to {@code ip}:{@link ContractFixture#SERVICE_PORT}; skips the test when the harness has no UDP. */
    protected final ConnectOutcome exchangeUdp(Client from, String ip) {
        try {
            return harness.exchangeUdp(from, ip, SERVICE_PORT);
        } catch (UnsupportedOperationException e) {
            return Assumptions.abort("UDP scenario skipped: " + e.getMessage());
        }
    }

    /** Waits for a flow event (backends may deliver them asynchronously), failing with what did arrive. */
    protected final FlowEvent awaitFlow(Predicate<FlowEvent> wanted, String description) {
        long deadline = System.nanoTime() + FLOW_WAIT.toNanos();
        while (true) {
            for (FlowEvent f : flows) {
                if (wanted.test(f)) return f;
            }
            if (System.nanoTime() > deadline) {
                return fail(
                        "no flow event matched: %s; %d arrived:%n%s",
                        description,
                        flows.size(),
                        String.join(
                                "\n",
                                flows.stream()
                                        .map(FlowEvent::toString)
                                        .limit(50)
                                        .toList()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while waiting for " + description);
            }
        }
    }
}
