package io.nodemesh.envoy;

import io.nodemesh.api.DataplaneOptions;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Settings of the Envoy backend, read from {@link DataplaneOptions#properties()}.
 *
 * @param xdsHost       address the ADS server listens on ({@code envoy.xdsHost}, default 127.0.0.1: the node's Envoy
 *                      and proxyless gRPC processes are local)
 * @param xdsPort       its port ({@code envoy.xdsPort}, default 0 = chosen by the OS; see {@link EnvoyDataplane#xdsPort()})
 * @param outboundPort  the node Envoy's transparent listener port that the eBPF connect hook steers L7 services to
 *                      ({@code envoy.outboundPort}, default 15001)
 * @param certLifetime  lifetime of workload certificates ({@code envoy.certLifetime}, ISO-8601, default PT1H); they are
 *                      rotated at half-life
 * @param schemaCheck   check every resource against Envoy's protoc-gen-validate rules before serving it
 *                      ({@code envoy.schemaCheck}, default true)
 * @param accessLog     the node Envoy reports every L7 request and passthrough connection over gRPC access logging to
 *                      the xDS server, which publishes them as flow events ({@code envoy.accessLog}, default true)
 */
public record EnvoyOptions(String xdsHost, int xdsPort, int outboundPort, Duration certLifetime, boolean schemaCheck,
                           boolean accessLog) {
    public static EnvoyOptions from(DataplaneOptions options) {
        return new EnvoyOptions(
                options.property("envoy.xdsHost", "127.0.0.1"),
                port(options, "envoy.xdsPort", 0, true),
                port(options, "envoy.outboundPort", 15001, false),
                duration(options, "envoy.certLifetime", "PT1H"),
                Boolean.parseBoolean(options.property("envoy.schemaCheck", "true")),
                Boolean.parseBoolean(options.property("envoy.accessLog", "true")));
    }

    private static int port(DataplaneOptions o, String key, int defaultValue, boolean zeroAllowed) {
        String v = o.property(key, String.valueOf(defaultValue));
        try {
            int p = Integer.parseInt(v);
            if (p < (zeroAllowed ? 0 : 1) || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + v + " is not a port (" + (zeroAllowed ? 0 : 1) + "..65535)");
        }
    }

    private static Duration duration(DataplaneOptions o, String key, String defaultValue) {
        String v = o.property(key, defaultValue);
        try {
            Duration d = Duration.parse(v);
            if (d.compareTo(Duration.ofMinutes(1)) < 0) throw new IllegalArgumentException(key + "=" + v + " is shorter than a minute");
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + "=" + v + " is not an ISO-8601 duration such as PT1H", e);
        }
    }
}
