package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.nodemesh.envoy.Bootstraps;
import java.util.List;

/**
 * The TLS contexts of mTLS mode, in the two dialects nodemesh's clients understand.
 * <ul>
 *   <li>Proxyless gRPC (gRFC A29) has no SDS: it NACKs {@code tls_certificate_sds_secret_configs} and
 *       {@code validation_context_sds_secret_config}, and takes certificates only from a
 *       {@code CertificateProviderPluginInstance} named in its own bootstrap ({@link Bootstraps#CERTIFICATE_PROVIDER},
 *       a {@code file_watcher} reading the files {@code WorkloadCredentialFiles} writes). The instance name is the same
 *       for every process, each process's bootstrap points it at its own workload's files, so one resource serves all
 *       of them.</li>
 *   <li>The node Envoy gets its certificate and the trust bundle over SDS. Envoy gives
 *       {@code tls_certificate_provider_instance} precedence over SDS configs ("if set, tls_certificate_sds_secret_configs
 *       is ignored", tls.proto) and resolves it in its bootstrap's {@code certificate_provider_instances}, which has no
 *       file-watching plugin; so one {@code CommonTlsContext} cannot carry both dialects, and the node proxy gets
 *       clusters of its own ({@link NodeProxyResources}).</li>
 * </ul>
 */
final class TlsContexts {
    static final String TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
    /** SDS name of the node proxy's own certificate in each node's snapshot (each node has its own key). */
    static final String NODE_PROXY_SECRET = "nodemesh-node-proxy";

    private TlsContexts() {}

    /** The node proxy's identity on {@code node}: not a workload, so outside the {@code ns/<ns>/sa/<sa>} namespace. */
    static String nodeProxyIdentity(String trustDomain, String node) {
        return "spiffe://" + trustDomain + "/nodemesh/node-proxy/" + node;
    }

    private static CertificateProviderPluginInstance provider() {
        return CertificateProviderPluginInstance.newBuilder()
                .setInstanceName(Bootstraps.CERTIFICATE_PROVIDER)
                .build();
    }

    /**
     * A proxyless gRPC server's side: its own certificate and the mesh CA from its bootstrap's certificate provider, and
     * a client certificate required (gRPC rejects SAN matchers on the server side; who may call is RBAC's job, which
     * reads the client's SPIFFE id as the authenticated principal).
     */
    static TransportSocket grpcServer() {
        var tls = DownstreamTlsContext.newBuilder()
                .setRequireClientCertificate(BoolValue.of(true))
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .setTlsCertificateProviderInstance(provider())
                        .setValidationContext(CertificateValidationContext.newBuilder()
                                .setCaCertificateProviderInstance(provider())));
        return socket(Any.pack(tls.build()));
    }

    /**
     * A proxyless gRPC client's side of a cluster: present the process's own certificate, accept only a backend whose
     * certificate carries one of {@code backendIds}. grpc-java checks only the older {@code match_subject_alt_names}
     * (its trust manager ignores the typed matchers), Envoy and newer clients prefer the typed ones: both are given.
     */
    static TransportSocket grpcClient(String trustDomain, List<String> backendIds) {
        var validation = CertificateValidationContext.newBuilder().setCaCertificateProviderInstance(provider());
        sans(validation, trustDomain, backendIds);
        var tls = UpstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .setTlsCertificateProviderInstance(provider())
                        .setValidationContext(validation));
        return socket(Any.pack(tls.build()));
    }

    /** The node Envoy's side of a cluster: its node certificate and the trust bundle over SDS, the same SAN check. */
    static TransportSocket nodeProxyClient(String trustDomain, List<String> backendIds) {
        var validation = CertificateValidationContext.newBuilder();
        sans(validation, trustDomain, backendIds);
        validation.clearMatchSubjectAltNames(); // Envoy reads the typed matchers; the old field is deprecated there
        var tls = UpstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder()
                                .setName(NODE_PROXY_SECRET)
                                .setSdsConfig(Protos.ads()))
                        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                                .setDefaultValidationContext(validation)
                                .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder()
                                        .setName(Names.TRUST_BUNDLE)
                                        .setSdsConfig(Protos.ads()))));
        return socket(Any.pack(tls.build()));
    }

    /**
     * One URI SAN matcher per backend identity. With no known identity (endpoints that are no workload) any identity of
     * the trust domain is accepted rather than any certificate at all: a client never skips the check.
     */
    @SuppressWarnings("deprecation") // match_subject_alt_names: the field grpc-java reads
    private static void sans(CertificateValidationContext.Builder v, String trustDomain, List<String> backendIds) {
        List<StringMatcher> matchers = backendIds.isEmpty()
                ? List.of(StringMatcher.newBuilder()
                        .setPrefix("spiffe://" + trustDomain + "/")
                        .build())
                : backendIds.stream()
                        .map(id -> StringMatcher.newBuilder().setExact(id).build())
                        .toList();
        for (StringMatcher m : matchers) {
            v.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.URI)
                    .setMatcher(m));
            v.addMatchSubjectAltNames(m);
        }
    }

    private static TransportSocket socket(Any config) {
        return TransportSocket.newBuilder()
                .setName(TRANSPORT_SOCKET)
                .setTypedConfig(config)
                .build();
    }
}
