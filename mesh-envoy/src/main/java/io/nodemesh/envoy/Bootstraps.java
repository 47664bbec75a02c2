package io.nodemesh.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.WatchedDirectory;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.nodemesh.envoy.internal.translate.Names;

/**
 * Bootstrap configuration for the two kinds of xDS client nodemesh serves: the node's Envoy (admin endpoint, a static
 * cluster for the ADS server, everything else dynamic over ADS) and proxyless gRPC processes (gRPC's bootstrap JSON).
 * A client's node id is its node's name, optionally followed by {@code ~} and anything (e.g. a pod), so that all the
 * clients on a node are served that node's snapshot.
 */
public final class Bootstraps {
    /** The static cluster the node Envoy reaches the control plane through. */
    public static final String XDS_CLUSTER = "nodemesh-xds";
    /**
     * The certificate-provider instance (gRFC A29) mTLS resources name for proxyless gRPC: each process's bootstrap
     * defines it as a {@code file_watcher} over its own workload's credential files.
     */
    public static final String CERTIFICATE_PROVIDER = "nodemesh";
    /** File names inside a workload's credentials directory, as {@code file_watcher} reads them. */
    public static final String CERT_FILE = "cert.pem", KEY_FILE = "key.pem", CA_FILE = "ca.pem";

    private Bootstraps() {}

    /**
     * What the node Envoy's bootstrap says.
     *
     * @param nodeId    xDS node id ({@code <node>} or {@code <node>~<suffix>})
     * @param cluster   the node's service cluster, shown in Envoy's stats
     * @param zone      locality zone (nodemesh uses the node name, as in its EDS)
     * @param xdsHost   the ADS server's address
     * @param xdsPort   its port
     * @param adminPort the admin endpoint's port on 127.0.0.1 (readiness is read from {@code /ready})
     * @param xdsCredentials the node's xDS client credentials ({@link #xdsClientCredentialsDir}: {@value #CERT_FILE},
     *                       {@value #KEY_FILE}, {@value #CA_FILE}), so Envoy reaches the xDS server over mutual TLS;
     *                       null for plain text ({@code envoy.xdsSecurity=plaintext})
     */
    public record EnvoySpec(
            String nodeId,
            String cluster,
            String zone,
            String xdsHost,
            int xdsPort,
            int adminPort,
            java.nio.file.Path xdsCredentials) {
        /** In plain text. */
        public EnvoySpec(String nodeId, String cluster, String zone, String xdsHost, int xdsPort, int adminPort) {
            this(nodeId, cluster, zone, xdsHost, xdsPort, adminPort, null);
        }
    }

    /**
     * Where, under {@code root} (option {@code envoy.credentialsDir}), a dataplane serving {@code node} writes that
     * node's xDS client credentials: {@code <root>/xds+<node>}.
     */
    public static java.nio.file.Path xdsClientCredentialsDir(java.nio.file.Path root, String node) {
        if (node.isEmpty() || node.contains("/") || node.contains("+") || node.contains(".."))
            throw new IllegalArgumentException("not a node name: '" + node + "'");
        return root.resolve("xds+" + node);
    }

    public static Bootstrap envoy(EnvoySpec spec) {
        ConfigSource ads = ConfigSource.newBuilder()
                .setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3)
                .build();
        // The ADS server speaks gRPC, so HTTP/2 upstream.
        HttpProtocolOptions h2 = HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                        .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                .build();
        Cluster.Builder xds = Cluster.newBuilder()
                .setName(XDS_CLUSTER)
                .setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                .putTypedExtensionProtocolOptions(
                        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Any.pack(h2))
                .setLoadAssignment(ClusterLoadAssignment.newBuilder()
                        .setClusterName(XDS_CLUSTER)
                        .addEndpoints(LocalityLbEndpoints.newBuilder()
                                .addLbEndpoints(LbEndpoint.newBuilder()
                                        .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                                .setAddress(address(spec.xdsHost(), spec.xdsPort()))))));
        if (spec.xdsCredentials() != null)
            xds.setTransportSocket(
                    xdsTls(spec.xdsCredentials(), io.nodemesh.envoy.internal.xds.NodeSnapshots.group(spec.nodeId())));
        return Bootstrap.newBuilder()
                .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                        .setId(spec.nodeId())
                        .setCluster(spec.cluster())
                        .setLocality(Locality.newBuilder().setRegion("nodemesh").setZone(spec.zone())))
                .setAdmin(Admin.newBuilder().setAddress(address("127.0.0.1", spec.adminPort())))
                .setDynamicResources(Bootstrap.DynamicResources.newBuilder()
                        .setAdsConfig(ApiConfigSource.newBuilder()
                                .setApiType(ApiConfigSource.ApiType.AGGREGATED_GRPC)
                                .setTransportApiVersion(ApiVersion.V3)
                                // java-control-plane picks a request's snapshot by the node in that request, so Envoy
                                // must send it in every request (its default), not only the first.
                                .setSetNodeOnFirstMessageOnly(false)
                                .addGrpcServices(GrpcService.newBuilder()
                                        .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder()
                                                .setClusterName(XDS_CLUSTER))))
                        .setLdsConfig(ads)
                        .setCdsConfig(ads))
                .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xds))
                .build();
    }

    /**
     * Mutual TLS to the xDS server: the node's certificate and key, the mesh roots, all from files under {@code dir};
     * {@code watched_directory} makes Envoy re-read them when the dataplane switches {@code ..data} (a rotation). The
     * server must be the node's own agent or the cluster's control plane, by URI SAN (its certificate has no host).
     */
    private static TransportSocket xdsTls(java.nio.file.Path dir, String node) {
        String prefix = "spiffe://" + io.nodemesh.api.state.EncryptionSpec.DEFAULT_TRUST_DOMAIN + "/nodemesh/xds/";
        DataSource cert = file(dir.resolve(CERT_FILE)), key = file(dir.resolve(KEY_FILE));
        UpstreamTlsContext tls = UpstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .addTlsCertificates(TlsCertificate.newBuilder()
                                .setCertificateChain(cert)
                                .setPrivateKey(key)
                                .setWatchedDirectory(
                                        WatchedDirectory.newBuilder().setPath(dir.toString())))
                        .setValidationContext(CertificateValidationContext.newBuilder()
                                .setTrustedCa(file(dir.resolve(CA_FILE)))
                                .addMatchTypedSubjectAltNames(uriSan(prefix + node))
                                .addMatchTypedSubjectAltNames(uriSan(prefix + "control-plane"))
                                .setWatchedDirectory(
                                        WatchedDirectory.newBuilder().setPath(dir.toString()))))
                .build();
        return TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(tls))
                .build();
    }

    private static io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher uriSan(String uri) {
        return io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.newBuilder()
                .setSanType(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.SanType.URI)
                .setMatcher(io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder()
                        .setExact(uri))
                .build();
    }

    private static DataSource file(java.nio.file.Path p) {
        return DataSource.newBuilder().setFilename(p.toString()).build();
    }

    /** The Envoy bootstrap as the JSON Envoy reads with {@code -c}. */
    public static String envoyJson(EnvoySpec spec) {
        try {
            return JsonFormat.printer()
                    .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                            .add(HttpProtocolOptions.getDescriptor())
                            .add(UpstreamTlsContext.getDescriptor())
                            .build())
                    .print(envoy(spec));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("bootstrap does not print as JSON", e);
        }
    }

    /**
     * gRPC's xDS bootstrap (for {@code GRPC_XDS_BOOTSTRAP_CONFIG}): the ADS server, the node, and the server listener
     * template, so xDS-enabled gRPC servers fetch the listener nodemesh makes for their address.
     */
    public static String grpcJson(String nodeId, String zone, String xdsHost, int xdsPort) {
        return grpcJson(new GrpcSpec(nodeId, zone, xdsHost, xdsPort, null, null, java.time.Duration.ofSeconds(10)));
    }

    /**
     * What a proxyless gRPC process's bootstrap says.
     *
     * @param nodeId              xDS node id ({@code <node>} or {@code <node>~<suffix>})
     * @param zone                locality zone (the node name)
     * @param xdsHost             the xDS server's address
     * @param xdsPort             its port
     * @param xdsCredentials      the node's xDS client credentials ({@link #xdsClientCredentialsDir}), given to the
     *                            {@code "tls"} channel creds as gRFC A65's {@code certificate_file},
     *                            {@code private_key_file} and {@code ca_certificate_file}, which needs module
     *                            {@code mesh-xds-client} on the process's class or module path (without it grpc-java's
     *                            own {@code "tls"} ignores the files and the server refuses the handshake); null for
     *                            plain text ({@code envoy.xdsSecurity=plaintext})
     * @param workloadCredentials the process's workload credentials ({@link #workloadCredentialsDir}) for the
     *                            {@value #CERTIFICATE_PROVIDER} {@code file_watcher} certificate provider that mTLS
     *                            resources name, or null when the mesh does not use mTLS
     * @param refresh             how often both sets of files are checked for a rotation, at least a second
     */
    public record GrpcSpec(
            String nodeId,
            String zone,
            String xdsHost,
            int xdsPort,
            java.nio.file.Path xdsCredentials,
            java.nio.file.Path workloadCredentials,
            java.time.Duration refresh) {
        public GrpcSpec {
            if (refresh.toSeconds() < 1)
                throw new IllegalArgumentException(
                        "credential files' refresh interval " + refresh + " is under a second");
        }
    }

    /** gRPC's xDS bootstrap JSON for {@code spec}. */
    public static String grpcJson(GrpcSpec spec) {
        String channelCreds = spec.xdsCredentials() == null
                ? "{\"type\": \"insecure\"}"
                : """
                {"type": "tls", "config": {
                        "certificate_file": "%s",
                        "private_key_file": "%s",
                        "ca_certificate_file": "%s",
                        "refresh_interval": "%ds"
                      }}""".formatted(
                                json(spec.xdsCredentials().resolve(CERT_FILE).toString()),
                                json(spec.xdsCredentials().resolve(KEY_FILE).toString()),
                                json(spec.xdsCredentials().resolve(CA_FILE).toString()),
                                spec.refresh().toSeconds());
        String providers = spec.workloadCredentials() == null
                ? ""
                : certificateProviders(spec.workloadCredentials(), spec.refresh());
        return grpcJson(spec.nodeId(), spec.zone(), spec.xdsHost(), spec.xdsPort(), channelCreds, providers);
    }

    /**
     * As {@link #grpcJson(String, String, String, int)}, for mTLS mode: adds the {@value #CERTIFICATE_PROVIDER}
     * certificate provider, a {@code file_watcher} over {@code credentialsDir}'s {@value #CERT_FILE}, {@value #KEY_FILE}
     * and {@value #CA_FILE} (the directory nodemesh keeps current for the process's workload, see
     * {@link #workloadCredentialsDir}) re-read every {@code refresh}, so rotated certificates are picked up. xDS
     * itself is reached in plain text: for an {@code envoy.xdsSecurity=mtls} server use {@link #grpcJson(GrpcSpec)}.
     */
    public static String grpcJson(
            String nodeId,
            String zone,
            String xdsHost,
            int xdsPort,
            java.nio.file.Path credentialsDir,
            java.time.Duration refresh) {
        if (refresh.toSeconds() < 1)
            throw new IllegalArgumentException("file_watcher refresh interval " + refresh + " is under a second");
        return grpcJson(new GrpcSpec(nodeId, zone, xdsHost, xdsPort, null, credentialsDir, refresh));
    }

    private static String certificateProviders(java.nio.file.Path credentialsDir, java.time.Duration refresh) {
        return """
                ,
                  "certificate_providers": {
                    "%s": {
                      "plugin_name": "file_watcher",
                      "config": {
                        "certificate_file": "%s",
                        "private_key_file": "%s",
                        "ca_certificate_file": "%s",
                        "refresh_interval": "%ds"
                      }
                    }
                  }""".formatted(
                        CERTIFICATE_PROVIDER,
                        json(credentialsDir.resolve(CERT_FILE).toString()),
                        json(credentialsDir.resolve(KEY_FILE).toString()),
                        json(credentialsDir.resolve(CA_FILE).toString()),
                        refresh.toSeconds());
    }

    /**
     * Where, under {@code root} (option {@code envoy.credentialsDir}), nodemesh writes the credentials of
     * {@code spiffeId}: {@code <root>/<trust domain>+ns+<ns>+sa+<sa>} ({@code spiffe://} dropped, {@code /} → {@code +},
     * a character SPIFFE ids cannot hold, so distinct ids never share a directory).
     */
    public static java.nio.file.Path workloadCredentialsDir(java.nio.file.Path root, String spiffeId) {
        if (!spiffeId.startsWith("spiffe://") || spiffeId.contains("..") || spiffeId.contains("+")) {
            throw new IllegalArgumentException("not a SPIFFE id: " + spiffeId);
        }
        return root.resolve(spiffeId.substring("spiffe://".length()).replace('/', '+'));
    }

    private static String grpcJson(
            String nodeId, String zone, String xdsHost, int xdsPort, String channelCreds, String extra) {
        return """
                {
                  "xds_servers": [{
                    "server_uri": "%s",
                    "channel_creds": [%s],
                    "server_features": ["xds_v3"]
                  }],
                  "node": {"id": "%s", "cluster": "nodemesh", "locality": {"region": "nodemesh", "zone": "%s"}},
                  "server_listener_resource_name_template": "%s"%s
                }
                """.formatted(
                        json(hostPort(xdsHost, xdsPort)),
                        channelCreds,
                        json(nodeId),
                        json(zone),
                        Names.GRPC_SERVER_TEMPLATE,
                        extra);
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static Address address(String host, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
                .build();
    }
}
