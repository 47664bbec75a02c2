package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.contract.gen.Corruption;
import io.nodemesh.contract.gen.MeshStates;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The example state files in examples/states: the good one is valid and exercises every corruption; the bad one is not. */
class ExampleStatesTest {
    static final Path MESH = Path.of("../examples/states/mesh.yaml");
    static final Path BAD = Path.of("../examples/states/bad.yaml");

    @Test
    void meshYamlIsValidAndUsesEveryKindOfObject() throws Exception {
        MeshState s = MeshStateFiles.readValid(MESH);
        assertThat(s.nodes()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(s.workloads()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(s.services()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(s.policies()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(s.routes()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(MeshStateFiles.parse("again.yaml", MeshStateFiles.write(s, StateFormat.YAML), StateFormat.YAML))
                .isEqualTo(s);
    }

    static List<String> kinds() {
        return MeshStates.corruptionKinds();
    }

    /** Every kind of corruption applies to the example and is caught at its path — also when read back from a file. */
    @ParameterizedTest
    @MethodSource("kinds")
    void everyCorruptionKindIsCaught(String kind) throws Exception {
        MeshState s = MeshStateFiles.readValid(MESH);
        for (int pick = 0; pick < 3; pick++) {
            Optional<Corruption> c = MeshStates.corrupt(s, kind, pick);
            assertThat(c).as("%s applies to mesh.yaml", kind).isPresent();
            assertThat(c.get().state().validate())
                    .extracting(Violation::path)
                    .as(kind)
                    .contains(c.get().path());
            String yaml = MeshStateFiles.write(c.get().state(), StateFormat.YAML);
            CheckedState checked = MeshStateFiles.check("corrupted.yaml", yaml, StateFormat.YAML);
            assertThat(checked)
                    .isInstanceOfSatisfying(
                            CheckedState.Invalid.class,
                            i -> assertThat(i.problems())
                                    .extracting(StateFileProblem::path)
                                    .contains(c.get().path()));
        }
    }

    @Test
    void badYamlReportsEveryMistake() throws Exception {
        CheckedState checked = MeshStateFiles.check(BAD);
        assertThat(checked).isInstanceOf(CheckedState.Invalid.class);
        List<StateFileProblem> problems = ((CheckedState.Invalid) checked).problems();
        assertThat(problems)
                .extracting(StateFileProblem::path)
                .contains(
                        "nodes[node-b].addresses[0]",
                        "nodes[node-b].podCidrs[0]",
                        "nodes[node-b].wireguardPublicKey",
                        "workloads[shop/web-1]",
                        "workloads[shop/web-1].node",
                        "workloads[shop/web-1].identity",
                        "services[shop/web].ports[0].port",
                        "services[shop/api].vips[0]",
                        "services[shop/api].ports[0].targetPort",
                        "policies[shop/allow-web].sources[0]",
                        "routes[shop/web].rules[0].matches[0].path.value",
                        "routes[shop/web].rules[0].backends[1].service",
                        "routes[shop/web].rules[0].backends");
        assertThat(problems).allSatisfy(p -> {
            assertThat(p.file()).isEqualTo(BAD.toString());
            assertThat(p.line()).as("line of %s", p).isPositive();
        });
    }
}
