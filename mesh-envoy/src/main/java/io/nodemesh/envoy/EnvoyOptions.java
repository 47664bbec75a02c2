package io.nodemesh.envoy;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Option;
import java.time.Duration;
import java.util.List;

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
 * @param xdsSecurity   mutual TLS with clients authenticated by node (the default), or plain text for local
 *                      development, an explicit opt-in refused on a non-loopback {@code xdsHost}
 *                      ({@code envoy.xdsSecurity})
 * @see #CA_DIR
 * @see #xdsClientCredentialsDir(DataplaneOptions)
 */
public record EnvoyOptions(
        String xdsHost,
        int xdsPort,
        int outboundPort,
        Duration certLifetime,
        boolean schemaCheck,
        boolean accessLog,
        XdsSecurity xdsSecurity) {
    public static final Option<String> XDS_HOST =
            Option.string("envoy.xdsHost", "127.0.0.1", "address the ADS server listens on");
    public static final Option<Integer> XDS_PORT =
            Option.integer("envoy.xdsPort", 0, 0, 65535, "port of the ADS server, 0 for one chosen by the OS");
    public static final Option<Integer> OUTBOUND_PORT = Option.integer(
            "envoy.outboundPort",
            15001,
            1,
            65535,
            "the node Envoy's transparent listener port that L7 services are steered to");
    public static final Option<Duration> CERT_LIFETIME = Option.duration(
            "envoy.certLifetime",
            Duration.ofHours(1),
            "lifetime of workload certificates, at least a minute; rotated at half-life");
    public static final Option<Boolean> SCHEMA_CHECK = Option.bool(
            "envoy.schemaCheck", true, "check every resource against Envoy's validation rules before serving it");
    public static final Option<Boolean> ACCESS_LOG = Option.bool(
            "envoy.accessLog",
            true,
            "the node Envoy reports requests over gRPC access logging, published as flow events");
    public static final Option<java.nio.file.Path> CREDENTIALS_DIR = Option.path(
            "envoy.credentialsDir",
            null,
            "where workload certificates and keys are written for proxyless clients; none unless set");
    /**
     * The mesh CA's directory: {@code ca.pem} (root certificate), {@code ca-key.pem} (its PKCS#8 EC key, mode 0600)
     * and, during a rotation, {@code trusted.pem} (further roots still trusted). Generated once when empty. Every node
     * given the same files trusts every other; unset, each dataplane makes an in-memory root of its own.
     */
    public static final Option<java.nio.file.Path> CA_DIR = Option.path(
            "envoy.caDir",
            null,
            "directory of the mesh CA root (ca.pem, ca-key.pem 0600, optional trusted.pem), generated when empty;"
                    + " unset: an in-memory root per dataplane");

    public static final Option<XdsSecurity> XDS_SECURITY = Option.oneOf(
            "envoy.xdsSecurity",
            XdsSecurity.class,
            XdsSecurity.MTLS,
            "mtls (default): xDS over TLS, clients authenticated by their node's certificate; plaintext: no TLS, no"
                    + " authentication, loopback only, local development");
    /** Every option the Envoy backend reads. */
    public static final List<Option<?>> OPTIONS = List.of(
            XDS_HOST,
            XDS_PORT,
            OUTBOUND_PORT,
            CERT_LIFETIME,
            SCHEMA_CHECK,
            ACCESS_LOG,
            CREDENTIALS_DIR,
            CA_DIR,
            XDS_SECURITY);

    public EnvoyOptions {
        if (certLifetime.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException(CERT_LIFETIME.key() + "=" + certLifetime + " is shorter than a minute");
        }
        if (xdsSecurity == XdsSecurity.PLAINTEXT && !loopback(xdsHost)) {
            throw new IllegalArgumentException(XDS_SECURITY.key() + "=plaintext serves every node's secrets without"
                    + " authentication, so it listens on loopback only, not " + XDS_HOST.key() + "=" + xdsHost
                    + "; set " + XDS_SECURITY.key() + "=mtls or " + XDS_HOST.key() + "=127.0.0.1");
        }
    }

    public static EnvoyOptions from(DataplaneOptions options) {
        return new EnvoyOptions(
                options.get(XDS_HOST),
                options.get(XDS_PORT),
                options.get(OUTBOUND_PORT),
                options.get(CERT_LIFETIME),
                options.get(SCHEMA_CHECK),
                options.get(ACCESS_LOG),
                options.get(XDS_SECURITY));
    }

    /**
     * Where a dataplane serving one node keeps that node's xDS client credentials ({@code cert.pem}, {@code key.pem}
     * 0600, {@code ca.pem}) for its Envoy and proxyless clients: {@code <envoy.credentialsDir>/xds+<node>} when
     * {@link #CREDENTIALS_DIR} is set, else {@code <envoy.caDir>/xds+<node>}; empty when neither is set, the node name is
     * empty or plain text is chosen. {@code nodemesh bootstrap} computes the same path from the same options.
     */
    public static java.util.Optional<java.nio.file.Path> xdsClientCredentialsDir(DataplaneOptions options) {
        if (options.node().isEmpty() || options.get(XDS_SECURITY) != XdsSecurity.MTLS)
            return java.util.Optional.empty();
        return options.find(CREDENTIALS_DIR)
                .or(() -> options.find(CA_DIR))
                .map(root -> Bootstraps.xdsClientCredentialsDir(root, options.node()));
    }

    /** Whether {@code host} is a loopback address literal or {@code localhost} (no name is resolved). */
    private static boolean loopback(String host) {
        if (host.equals("localhost")) return true;
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) return false;
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
