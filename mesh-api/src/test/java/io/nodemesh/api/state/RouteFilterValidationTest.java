package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route rule's filters: each bad field is named by filter index and field, and good filters pass. */
class RouteFilterValidationTest {
    private static final String AT = "routes[shop/web].rules[0]";

    @Test
    void goodFiltersAreValid() {
        assertThat(withFilters(
                                new RequestHeaderModifier(
                                        Map.of("x-tenant", "a"), Map.of("x-trace", "1"), List.of("x-debug")),
                                new ResponseHeaderModifier(Map.of("cache-control", "no-store"), Map.of(), List.of()))
                        .validate())
                .isEmpty();
        HttpRouteRule redirect = HttpRouteRule.builder()
                .pathPrefix("/old")
                .filter(new RequestRedirect("https", "new.example.com", 8443, "/new", 301))
                .build();
        assertThat(state(redirect).validate()).isEmpty();
    }

    @Test
    void headerNamesValuesAndReservedHeadersAreNamed() {
        List<Violation> v = withFilters(new RequestHeaderModifier(
                        Map.of("bad name", "1", "host", "evil", "x-ok", "line\nbreak"), Map.of("X-Ok", "2"), List.of()))
                .validate();
        assertThat(v)
                .containsExactlyInAnyOrder(
                        new Violation(
                                AT + ".filters[0].set[bad name]",
                                "'bad name' is not an HTTP header name (RFC 9110 token characters only)"),
                        new Violation(
                                AT + ".filters[0].set[host]",
                                "header host is the proxy's to set; it cannot be modified by a route"),
                        new Violation(
                                AT + ".filters[0].add[X-Ok]",
                                "header x-ok is named twice in one filter; which edit wins is undefined"),
                        new Violation(AT + ".filters[0].set[x-ok]", "a header value must not contain CR, LF or NUL"));
    }

    @Test
    void anEmptyModifierAndASecondOfAKindAreNamed() {
        RequestHeaderModifier empty = new RequestHeaderModifier(null, null, null);
        RequestHeaderModifier one = new RequestHeaderModifier(Map.of("a", "1"), Map.of(), List.of());
        assertThat(withFilters(empty, one).validate())
                .containsExactlyInAnyOrder(
                        new Violation(
                                AT + ".filters[0]", "RequestHeaderModifier changes nothing: give set, add or remove"),
                        new Violation(
                                AT + ".filters[1]",
                                "a second RequestHeaderModifier; a rule takes at most one of each kind"));
    }

    @Test
    void redirectFieldsAreCheckedAndItTakesNoBackends() {
        HttpRouteRule bad = new HttpRouteRule(
                List.of(),
                List.of(new WeightedBackend("shop/web", 0, 1)),
                null,
                null,
                null,
                List.of(new RequestRedirect("ftp", "Not_A_Host", 70000, "relative", 200)));
        assertThat(state(bad).validate())
                .containsExactlyInAnyOrder(
                        new Violation(AT + ".filters[0].scheme", "'ftp' is not http or https"),
                        new Violation(
                                AT + ".filters[0].hostname", "'Not_A_Host' is not a host name (lower-case DNS labels)"),
                        new Violation(AT + ".filters[0].port", "70000 is outside 1..65535"),
                        new Violation(
                                AT + ".filters[0].path", "'relative' is not an absolute path (a '/' first, no spaces)"),
                        new Violation(
                                AT + ".filters[0].statusCode",
                                "200 is not a redirect status (301, 302, 303, 307 or 308)"),
                        new Violation(
                                AT + ".backends",
                                "a rule with a RequestRedirect answers the request itself; its backends would never be used"));
    }

    @Test
    void aRedirectDefaultsTo302AndARuleWithoutBackendOrRedirectIsStillRefused() {
        assertThat(new RequestRedirect(null, "a.example", 0, null, 0).statusCode())
                .isEqualTo(302);
        HttpRouteRule nothing = HttpRouteRule.builder().pathPrefix("/").build();
        assertThat(state(nothing).validate())
                .containsExactly(new Violation(
                        AT + ".backends", "a rule needs at least one backend (or a RequestRedirect filter)"));
    }

    @Test
    void withFaultKeepsTheFilters() {
        HttpRouteRule r = MeshStateValidatorTest.rule.withFilters(List.of(RequestRedirect.toHost("a.example")));
        assertThat(r.withFault(HttpFault.abort(503, 10)).filters()).isEqualTo(r.filters());
    }

    private static MeshState withFilters(HttpFilter... filters) {
        return state(MeshStateValidatorTest.rule.withFilters(List.of(filters)));
    }

    private static MeshState state(HttpRouteRule rule) {
        MeshState v = MeshStateValidatorTest.valid();
        return new MeshState(
                v.nodes(),
                v.workloads(),
                v.services(),
                v.policies(),
                List.of(new HttpRoute("shop", "web", "shop/web", List.of(rule))),
                v.encryption());
    }
}
