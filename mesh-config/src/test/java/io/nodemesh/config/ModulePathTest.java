package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import org.junit.jupiter.api.Test;

/**
 * The suite runs on the module path, so Jackson must bind the api records through what io.nodemesh.api exports, exactly
 * as for an application on the module path. This test fails if the build ever drops back to the class path, where
 * nothing is encapsulated and a missing export or open would go unnoticed.
 */
class ModulePathTest {
    @Test
    void readsAndWritesStatesAsNamedModules() throws Exception {
        Module config = MeshStateFiles.class.getModule();
        assertThat(config.getName()).isEqualTo("io.nodemesh.config");
        assertThat(config.getDescriptor().exports()).extracting(e -> e.source()).containsExactly("io.nodemesh.config");
        assertThat(MeshState.class.getModule().getName()).isEqualTo("io.nodemesh.api");

        MeshState state = MeshStateFiles.parse("m.yaml", MeshStateFilesTest.GOOD, StateFormat.YAML);
        String written = MeshStateFiles.write(state, StateFormat.YAML);
        assertThat(written).contains("loadBalancing: round_robin", "timeout: 30s");
        assertThat(MeshStateFiles.parse("again.yaml", written, StateFormat.YAML))
                .isEqualTo(state);
    }
}
