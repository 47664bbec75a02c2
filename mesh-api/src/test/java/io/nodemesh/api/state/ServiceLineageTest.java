package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.StateDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link MeshState#withService} remembers, and that every short-cut built on it answers as the full work. */
class ServiceLineageTest {
    private static MeshState services(int n) {
        MeshState.Builder b = MeshState.builder();
        for (int i = 0; i < n; i++)
            b.service(new Service(
                    "ns",
                    "s" + i,
                    List.of("10.96.0." + (i + 1)),
                    List.of(ServicePort.tcp(80, 8080)),
                    List.of(Endpoint.ready("10.1.0." + (i + 1), "")),
                    Map.of(),
                    null,
                    null,
                    null));
        return b.build();
    }

    private static MeshState moveEndpoint(MeshState state, int i, String ip) {
        return state.withService("ns/s" + i, s -> s.withEndpoints(List.of(Endpoint.ready(ip, ""))));
    }

    /** The same state with no memory of how it was made. */
    private static MeshState plain(MeshState s) {
        return new MeshState(
                s.nodes(), s.workloads(), new ArrayList<>(s.services()), s.policies(), s.routes(), s.encryption());
    }

    @Test
    void aStateMadeWithWithServiceKnowsThePositionsItReplacedThroughSeveralSteps() {
        MeshState base = services(10);
        MeshState one = moveEndpoint(base, 7, "10.2.0.1");
        MeshState two = moveEndpoint(one, 2, "10.2.0.2");
        assertThat(one.servicesReplacedSince(base)).contains(List.of(7));
        assertThat(two.servicesReplacedSince(base)).contains(List.of(2, 7));
        assertThat(two.servicesReplacedSince(two)).contains(List.of());
        // Unknown, not wrong: a state built otherwise, or asked about a state it was not made from.
        assertThat(base.servicesReplacedSince(two)).isEmpty();
        assertThat(services(10).servicesReplacedSince(base)).isEmpty();
        assertThat(moveEndpoint(services(10), 1, "10.2.0.3").servicesReplacedSince(base))
                .isEmpty();
        // No such service: the very same state.
        assertThat(base.withService("ns/none", s -> s)).isSameAs(base);
    }

    @Test
    void equalityAndHashAreTheListsWhicheverWayTheyWereMade() {
        MeshState base = services(10);
        MeshState changed = moveEndpoint(base, 3, "10.2.0.1");
        MeshState back = moveEndpoint(changed, 3, "10.1.0.4");
        assertThat(changed).isNotEqualTo(base);
        assertThat(base).isNotEqualTo(changed);
        assertThat(back).isEqualTo(base).hasSameHashCodeAs(base);
        assertThat(base).isEqualTo(back);
        assertThat(back.services()).isEqualTo(List.copyOf(base.services()));
        assertThat(MeshState.builder().service(back.services().get(3)).build().services())
                .containsExactly(base.services().get(3));
        // Survives the defensive copy of a new state, and the builder.
        MeshState rebuilt = back.toBuilder().build();
        assertThat(rebuilt).isEqualTo(base);
    }

    @Test
    void theIndexDiffAndValidationOfAChainOfChangesEqualTheirFullVersions() {
        MeshState state = services(40);
        MeshIndex index = state.index();
        for (int step = 0; step < 600; step++) { // far past the index's overlay limit, so it is folded several times
            MeshState next = moveEndpoint(state, (step * 7) % 40, "10.3." + (step / 250) + "." + (step % 250));
            if (step % 50 == 0) next = next.withService("ns/s5", s -> s.withEndpoints(List.of()));
            index = MeshIndex.of(next, index);
            for (int i = 0; i < 40; i++) {
                Service s = next.services().get(i);
                assertThat(index.service(s.key())).containsSame(s);
            }
            List<ApplyResult.Change> diff = StateDiff.between(state, next);
            assertThat(diff).isEqualTo(StateDiff.between(state, plain(next)));
            assertThat(next.validate(state)).isEqualTo(next.validate()).isEmpty();
            state = next;
        }
    }

    @Test
    void aReplacedServiceThatTakesAnotherServicesVipIsStillFound() {
        MeshState base = services(5);
        MeshState clash = base.withService(
                "ns/s1", s -> s.toBuilder().vips(List.of("10.96.0.4")).build());
        assertThat(clash.validate(base)).isEqualTo(clash.validate()).isNotEmpty();
    }
}
