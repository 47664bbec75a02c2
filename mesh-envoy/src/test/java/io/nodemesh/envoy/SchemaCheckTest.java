package io.nodemesh.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.nodemesh.api.state.Violation;
import io.nodemesh.envoy.internal.translate.ProtoSchemaCheck;
import org.junit.jupiter.api.Test;

/** The schema check finds what Envoy's protoc-gen-validate rules forbid, at the right path, inside Any too. */
class SchemaCheckTest {
    @Test
    void requiredMessagesAndOneofsAreEnforced() {
        // A route with neither a match nor an action; a virtual host with no domains.
        RouteConfiguration rc = RouteConfiguration.newBuilder()
                .setName("r")
                .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addRoutes(Route.newBuilder()))
                .build();
        assertThat(ProtoSchemaCheck.check("routes[r]", rc))
                .extracting(Violation::path)
                .contains(
                        "routes[r].virtual_hosts[0].domains",
                        "routes[r].virtual_hosts[0].routes[0].match",
                        "routes[r].virtual_hosts[0].routes[0].action");
    }

    @Test
    void rulesAreCheckedInsideAnyPackedConfigs() {
        // HttpConnectionManager needs a stat_prefix (min_len 1) and a route specifier.
        Listener l = Listener.newBuilder()
                .setName("l")
                .addFilterChains(FilterChain.newBuilder()
                        .addFilters(Filter.newBuilder()
                                .setName("hcm")
                                .setTypedConfig(Any.pack(HttpConnectionManager.getDefaultInstance()))))
                .build();
        assertThat(ProtoSchemaCheck.check("listeners[l]", l))
                .extracting(Violation::path)
                .contains(
                        "listeners[l].filter_chains[0].filters[0].typed_config(HttpConnectionManager).stat_prefix",
                        "listeners[l].filter_chains[0].filters[0].typed_config(HttpConnectionManager).route_specifier");
    }

    @Test
    void unknownTypeUrlsAndBoundsAreReported() {
        Listener l = Listener.newBuilder()
                .setName("l")
                .addFilterChains(FilterChain.newBuilder()
                        .addFilters(Filter.newBuilder()
                                .setName("x")
                                .setTypedConfig(Any.newBuilder().setTypeUrl("type.googleapis.com/no.such.Type"))))
                .build();
        assertThat(ProtoSchemaCheck.check("l", l))
                .extracting(Violation::path)
                .contains("l.filter_chains[0].filters[0].typed_config.type_url");
        // connect_timeout must be > 0; an empty cluster name is fine for Envoy's schema but a 0s timeout is not.
        Cluster c = Cluster.newBuilder()
                .setName("c")
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder())
                .build();
        assertThat(ProtoSchemaCheck.check("c", c)).extracting(Violation::path).contains("c.connect_timeout");
    }
}
