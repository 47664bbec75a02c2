package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.contract.gen.Corruption;
import io.nodemesh.contract.gen.MeshStates;
import io.nodemesh.contract.gen.Sizes;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Validation and the file format against random states: the generators' states are valid, every corruption of one is
 * caught at the field that was broken, and state files lose nothing. (These live here rather than in mesh-api because
 * the generators are in mesh-contract, which depends on mesh-api.)
 */
class GeneratedStatesPropertiesTest {
    @Property(tries = 300)
    void generatedStatesValidateClean(@ForAll("states") MeshState state) {
        Statistics.label("workloads").collect(state.workloads().size());
        assertThat(state.validate()).as("violations of %s", state).isEmpty();
    }

    /** What a proxy needs beyond validate(): every route backend has the port traffic is sent to, over TCP. */
    @Property(tries = 300)
    void generatedRouteBackendsHaveThePortsTheyAreSentTo(@ForAll("states") MeshState state) {
        var index = state.index();
        for (var route : state.routes()) {
            var routed = index.service(route.service()).orElseThrow();
            for (var rule : route.rules()) {
                for (var backend : rule.backends()) {
                    var target = index.service(backend.service()).orElseThrow();
                    var ports = backend.port() == 0
                            ? routed.ports().stream().map(p -> p.port()).toList()
                            : List.of(backend.port());
                    for (int port : ports) {
                        assertThat(target.ports())
                                .as("%s → %s port %d", route.key(), target.key(), port)
                                .anyMatch(p -> p.port() == port && p.protocol() == io.nodemesh.api.state.Protocol.TCP);
                    }
                }
            }
        }
    }

    @Property(tries = 40)
    void biggerGeneratedStatesValidateClean(@ForAll("mediumStates") MeshState state) {
        assertThat(state.validate()).isEmpty();
    }

    @Property(tries = 1500)
    void everyCorruptionIsRejectedAtTheBrokenField(@ForAll("corruptions") Corruption c) {
        Statistics.label("kind").collect(c.kind());
        assertThat(c.original().validate()).isEmpty();
        assertThat(c.state().validate())
                .extracting(Violation::path)
                .as("%s in %s", c, c.state())
                .contains(c.path());
    }

    @Property(tries = 200)
    void everyStateOfAnEvolutionIsValid(@ForAll("evolutions") List<MeshState> states) {
        assertThat(states)
                .hasSizeGreaterThan(1)
                .allSatisfy(s -> assertThat(s.validate()).isEmpty());
        // Every step changes something, or differential tests would compare a state with itself.
        for (int i = 1; i < states.size(); i++) assertThat(states.get(i)).isNotEqualTo(states.get(i - 1));
    }

    @Property(tries = 300)
    void yamlRoundTripIsLossless(@ForAll("states") MeshState state) throws StateFileException {
        String yaml = MeshStateFiles.write(state, StateFormat.YAML);
        assertThat(MeshStateFiles.parse("random.yaml", yaml, StateFormat.YAML))
                .as(yaml)
                .isEqualTo(state);
    }

    @Property(tries = 100)
    void jsonRoundTripIsLossless(@ForAll("states") MeshState state) throws StateFileException {
        String json = MeshStateFiles.write(state, StateFormat.JSON);
        assertThat(MeshStateFiles.parse("random.json", json, StateFormat.JSON))
                .as(json)
                .isEqualTo(state);
    }

    @Property(tries = 200)
    void corruptedStatesRoundTripAndAreRejectedFromTheirFile(@ForAll("corruptions") Corruption c) {
        String yaml = MeshStateFiles.write(c.state(), StateFormat.YAML);
        CheckedState checked = MeshStateFiles.check("broken.yaml", yaml, StateFormat.YAML);
        assertThat(checked)
                .as(yaml)
                .isInstanceOfSatisfying(
                        CheckedState.Invalid.class,
                        invalid -> assertThat(invalid.problems())
                                .extracting(StateFileProblem::path)
                                .contains(c.path()));
    }

    @Provide
    Arbitrary<MeshState> states() {
        return MeshStates.validStates();
    }

    @Provide
    Arbitrary<MeshState> mediumStates() {
        return MeshStates.validStates(Sizes.MEDIUM);
    }

    @Provide
    Arbitrary<List<MeshState>> evolutions() {
        return MeshStates.evolutions();
    }

    @Provide
    Arbitrary<Corruption> corruptions() {
        return MeshStates.corruptedStates();
    }
}
