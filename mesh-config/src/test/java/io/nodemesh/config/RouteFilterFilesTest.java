package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code filters:} of a route rule: each kind read by its {@code type}, written back the same, errors located. */
class RouteFilterFilesTest {
    private static String yaml(String rules) {
        return """
            nodes:
              - name: node-a
                addresses: [192.168.0.1]
                podCidrs: [10.1.0.0/24]
            services:
              - namespace: shop
                name: api
                vips: [10.96.0.10]
                ports: [{port: 80, targetPort: 8080}]
                layer: l7
            routes:
              - namespace: shop
                name: api
                service: shop/api
                rules:
            %s
            """.formatted(rules);
    }

    private static final String FILTERS = """
                  - matches: [{path: {kind: prefix, value: /v1}}]
                    backends: [{service: shop/api, weight: 1}]
                    filters:
                      - type: requestHeaderModifier
                        set: {x-tenant: blue}
                        add: {x-trace: mesh}
                        remove: [x-debug]
                      - type: responseHeaderModifier
                        set: {cache-control: no-store}
                  - matches: [{path: {kind: prefix, value: /old}}]
                    filters:
                      - {type: requestRedirect, scheme: https, hostname: new.example.com, path: /new, statusCode: 301}
            """;

    @Test
    void readsEveryFilterKindAndWritesThemBack() throws Exception {
        MeshState s = MeshStateFiles.parse("m.yaml", yaml(FILTERS), StateFormat.YAML);
        assertThat(s.validate()).isEmpty();
        var rules = s.routes().getFirst().rules();
        assertThat(rules.get(0).filters())
                .containsExactly(
                        new RequestHeaderModifier(
                                Map.of("x-tenant", "blue"), Map.of("x-trace", "mesh"), List.of("x-debug")),
                        new ResponseHeaderModifier(Map.of("cache-control", "no-store"), Map.of(), List.of()));
        assertThat(rules.get(1).filters())
                .containsExactly(new RequestRedirect("https", "new.example.com", 0, "/new", 301));
        for (StateFormat format : StateFormat.values()) {
            String written = MeshStateFiles.write(s, format);
            assertThat(written).contains("requestRedirect").doesNotContain("kind\" : \"Request");
            assertThat(MeshStateFiles.parse("again", written, format)).isEqualTo(s);
        }
    }

    @Test
    void rulesWithoutFiltersWriteNoFilters() throws Exception {
        MeshState s = MeshStateFiles.parse(
                "m.yaml", yaml("      - backends: [{service: shop/api, weight: 1}]"), StateFormat.YAML);
        assertThat(MeshStateFiles.write(s, StateFormat.YAML)).doesNotContain("filters");
    }

    @Test
    void anUnknownFilterTypeIsAParseProblemAtItsField() {
        CheckedState checked = MeshStateFiles.check(
                "m.yaml",
                yaml("      - backends: [{service: shop/api}]\n        filters: [{type: requestMirror}]"),
                StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).startsWith("routes[0].rules[0].filters[0]");
            assertThat(p.reason())
                    .isEqualTo("'requestMirror' is not a filter type (expected one of: "
                            + "requestHeaderModifier, requestRedirect, responseHeaderModifier)");
        });
    }

    @Test
    void aBadRedirectIsLocatedAtItsLine() {
        CheckedState checked = MeshStateFiles.check(
                "m.yaml",
                yaml("      - filters: [{type: requestRedirect, hostname: a.example, statusCode: 200}]"),
                StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems())
                .extracting(p -> p.line() + " " + p.path() + ": " + p.reason())
                .containsExactly("16 routes[shop/api].rules[0].filters[0].statusCode: "
                        + "200 is not a redirect status (301, 302, 303, 307 or 308)");
    }
}
