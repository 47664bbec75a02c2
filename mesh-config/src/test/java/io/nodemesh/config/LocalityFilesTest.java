package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshState;
import org.junit.jupiter.api.Test;

/** {@code locality:} of a service and {@code zone:} of a node: read, written only when set, errors located. */
class LocalityFilesTest {
    private static String yaml(String zone, String locality) {
        return """
            nodes:
              - name: node-a
                addresses: [192.168.0.1]
                podCidrs: [10.1.0.0/24]
            %s
            services:
              - namespace: shop
                name: api
                vips: [10.96.0.10]
                ports: [{port: 80}]
            %s
            """.formatted(zone, locality);
    }

    @Test
    void readsZoneAndLocalityAndWritesThemBackOnlyWhenSet() throws Exception {
        MeshState s = MeshStateFiles.parse(
                "m.yaml", yaml("    zone: eu-west-1a", "    locality: prefer_node"), StateFormat.YAML);
        assertThat(s.nodes().getFirst().zone()).isEqualTo("eu-west-1a");
        assertThat(s.services().getFirst().locality()).isEqualTo(Locality.PREFER_NODE);
        String written = MeshStateFiles.write(s, StateFormat.YAML);
        assertThat(written).contains("zone: eu-west-1a").contains("locality: prefer_node");
        assertThat(MeshStateFiles.parse("again.yaml", written, StateFormat.YAML))
                .isEqualTo(s);

        MeshState plain = MeshStateFiles.parse("m.yaml", yaml("", ""), StateFormat.YAML);
        assertThat(plain.services().getFirst().locality()).isEqualTo(Locality.ANY);
        assertThat(MeshStateFiles.write(plain, StateFormat.YAML))
                .doesNotContain("locality")
                .doesNotContain("zone");
    }

    @Test
    void anUnknownLocalityNamesTheFieldAndTheValues() {
        CheckedState checked = MeshStateFiles.check("m.yaml", yaml("", "    locality: nearest"), StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("services[0].locality");
            assertThat(p.reason()).isEqualTo("'nearest' is not one of: any, prefer_zone, prefer_node, node_only");
        });
    }

    @Test
    void aZoneThatIsNoLabelValueIsAViolationAtItsField() {
        CheckedState checked = MeshStateFiles.check("m.yaml", yaml("    zone: \"eu west\"", ""), StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("nodes[node-a].zone");
            assertThat(p.reason()).startsWith("'eu west' is not a zone name");
        });
    }
}
