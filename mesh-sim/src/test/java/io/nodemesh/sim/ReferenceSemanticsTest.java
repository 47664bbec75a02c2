package io.nodemesh.sim;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.gen.Corruption;
import io.nodemesh.contract.gen.MeshStates;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Over generated states, every connect the simulator makes agrees with {@link MeshIndex}, the written-down semantics:
 * only ready endpoints, the target port, the VIP kept as the peer, and policy exactly as {@code allows} says.
 */
class ReferenceSemanticsTest {
    @Provide
    Arbitrary<MeshState> states() {
        return MeshStates.validStates();
    }

    @Provide
    Arbitrary<Corruption> corruptions() {
        return MeshStates.corruptedStates();
    }

    @Property(tries = 150)
    void everyConnectFollowsTheReferenceSemantics(@ForAll("states") MeshState state) {
        List<FlowEvent> events = new ArrayList<>();
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(state.hashCode())) {
            dp.flows().subscribe(events::add);
            dp.apply(state);
            MeshIndex index = state.index();
            for (Workload w : state.workloads()) {
                for (Service s : state.services()) {
                    for (ServicePort p : s.ports()) {
                        if (p.protocol() != Protocol.TCP) continue;
                        for (String vip : s.vips()) check(dp, index, w, s, p, vip, events);
                    }
                }
            }
        }
    }

    private static void check(SimulatedDataplane dp, MeshIndex index, Workload w, Service s, ServicePort p, String vip,
                              List<FlowEvent> events) {
        List<String> ready = index.readyEndpoints(s).stream().map(Endpoint::ip).map(IpAddresses::canonical).toList();
        ConnectResult r = dp.connect(Source.workload(w.key()), vip, p.port());
        // The report shows the mix (about 43% connected, 43% no backend, 14% denied): every branch below is exercised.
        Statistics.collect(r instanceof ConnectResult.Refused(Verdict v, _) ? "refused " + v : "connected");
        String what = w.key() + " -> " + s.key() + " " + vip + ":" + p.port() + " gave " + r;
        switch (r) {
            case ConnectResult.Connected(SimConnection c) -> {
                assertThat(ready).as(what).contains(IpAddresses.canonical(c.backend().ip()));
                assertThat(c.backend().port()).as(what).isEqualTo(p.targetPort());
                assertThat(c.peer().ip()).as(what).isEqualTo(vip);
                assertThat(c.peer().port()).as(what).isEqualTo(p.port());
                assertThat(connectionAllows(index, s, w.identity(), c.backend().identity(), p.targetPort())).as(what).isTrue();
                assertThat(c.path() == FlowPath.SOCKET_REDIRECT)
                        .as(what).isEqualTo(!s.l7() && index.workloadByIp(c.backend().ip()).map(Workload::node).orElse("").equals(w.node()));
                dp.close(c);
            }
            case ConnectResult.Refused(Verdict verdict, String reason) -> {
                if (ready.isEmpty()) {
                    assertThat(verdict).as(what).isEqualTo(Verdict.NO_BACKEND);
                    return;
                }
                assertThat(verdict).as(what).isEqualTo(Verdict.DROPPED_POLICY);
                FlowEvent drop = events.getLast();
                assertThat(drop.type()).as(what).isEqualTo(FlowEvent.Type.DROP);
                assertThat(ready).as(what).contains(IpAddresses.canonical(drop.backend().ip()));
                boolean strictEncryption = reason.startsWith("strict encryption");
                assertThat(strictEncryption || !connectionAllows(index, s, w.identity(), drop.backend().identity(), p.targetPort()))
                        .as(what).isTrue();
            }
        }
    }

    /**
     * {@link MeshIndex#allows} for the connection itself: to an L7 service, a DENY with HTTP conditions is the proxy's
     * to apply per request, so the connection is judged as if that policy were not there.
     */
    private static boolean connectionAllows(MeshIndex index, Service s, String source, String backend, int port) {
        if (!s.l7()) return index.allows(source, backend, s.key(), port);
        MeshState state = index.state();
        MeshState l4 = new MeshState(state.nodes(), state.workloads(), state.services(),
                state.policies().stream().filter(p -> p.action() == PolicyAction.ALLOW || p.http().isEmpty()).toList(),
                state.routes(), state.encryption());
        return l4.index().allows(source, backend, s.key(), port);
    }

    @Property(tries = 150)
    void everyCorruptedStateIsRejectedAndTheLastGoodOneKeepsServing(@ForAll("corruptions") Corruption corruption) {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(1)) {
            dp.apply(corruption.original());
            long generation = dp.generation();
            assertThatThrownBy(() -> dp.apply(corruption.state()))
                    .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations())
                            .as(corruption.toString()).anySatisfy(v -> assertThat(v.path()).isEqualTo(corruption.path())));
            assertThat(dp.state()).isEqualTo(corruption.original());
            assertThat(dp.generation()).isEqualTo(generation);
        }
    }
}
