package io.nodemesh.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.gen.MeshStates;
import io.nodemesh.envoy.internal.ca.SpiffeCa;
import io.nodemesh.envoy.internal.ca.WorkloadCertificates;
import io.nodemesh.envoy.internal.translate.EnvoyValidator;
import io.nodemesh.envoy.internal.translate.MeshResources;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import io.nodemesh.envoy.internal.translate.Names;
import io.nodemesh.envoy.internal.translate.ProtoSchemaCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The mTLS resources over generated states: which client reads which resource, what each cluster demands of its
 * backends, and that the translator's reuse of earlier translations notices encryption and identity changes.
 */
class MtlsTranslationTest {
    private static final String NODE_PROXY = "node-proxy~";

    @Provide
    Arbitrary<MeshState> valid() {
        return MeshStates.validStates().filter(s -> EnvoyValidator.validate(s).isEmpty());
    }

    private static MeshState withMode(MeshState s, EncryptionSpec.Mode mode) {
        return new MeshState(
                s.nodes(),
                s.workloads(),
                s.services(),
                s.policies(),
                s.routes(),
                new EncryptionSpec(
                        mode, s.encryption().enforcement(), s.encryption().trustDomain()));
    }

    private static UpstreamTlsContext upstream(Cluster c) throws InvalidProtocolBufferException {
        return c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    }

    @Property(tries = 60)
    void mtlsResourcesAreSchemaValidAndEachClientGetsItsOwnDialect(@ForAll("valid") MeshState generated)
            throws Exception {
        MeshState state = withMode(generated, EncryptionSpec.Mode.MTLS);
        MeshTranslator t = new MeshTranslator(15001);
        MeshResources shared = t.shared(state);
        MeshIndex index = state.index();
        Map<String, Cluster> clusters =
                shared.clusters().stream().collect(Collectors.toMap(Cluster::getName, Function.identity()));
        Set<String> routes =
                shared.routes().stream().map(RouteConfiguration::getName).collect(Collectors.toSet());

        for (Service s : state.services()) {
            for (var p : s.ports()) {
                if (p.protocol() != io.nodemesh.api.state.Protocol.TCP) continue;
                Cluster grpc = clusters.get(Names.cluster(s.key(), p.port()));
                Cluster envoy = clusters.get(NODE_PROXY + grpc.getName());
                assertThat(envoy.getEdsClusterConfig().getServiceName())
                        .isEqualTo(grpc.getName()); // one assignment for both
                assertThat(grpc.hasTransportSocket()).isEqualTo(s.l7());
                assertThat(envoy.hasTransportSocket()).isEqualTo(s.l7());
                if (!s.l7()) continue;
                Set<String> expected = index.endpoints(s).stream()
                        .map(e -> index.workload(e.workload()).or(() -> index.workloadByIp(e.ip())))
                        .flatMap(Optional::stream)
                        .map(Workload::identity)
                        .collect(Collectors.toSet());
                var g = upstream(grpc).getCommonTlsContext();
                // gRPC: certificate provider only, no SDS (it NACKs SDS), the backends' identities as SANs.
                assertThat(g.getTlsCertificateProviderInstance().getInstanceName())
                        .isEqualTo(Bootstraps.CERTIFICATE_PROVIDER);
                assertThat(g.getTlsCertificateSdsSecretConfigsCount()).isZero();
                assertThat(g.getValidationContext()
                                .getCaCertificateProviderInstance()
                                .getInstanceName())
                        .isEqualTo(Bootstraps.CERTIFICATE_PROVIDER);
                @SuppressWarnings("deprecation")
                var legacy = g.getValidationContext().getMatchSubjectAltNamesList();
                if (expected.isEmpty()) {
                    assertThat(legacy)
                            .singleElement()
                            .satisfies(m -> assertThat(m.getPrefix())
                                    .isEqualTo("spiffe://" + state.encryption().trustDomain() + "/"));
                } else {
                    assertThat(legacy.stream().map(m -> m.getExact()).collect(Collectors.toSet()))
                            .isEqualTo(expected);
                    assertThat(g.getValidationContext().getMatchTypedSubjectAltNamesList())
                            .allSatisfy(m -> assertThat(m.getSanType()).isEqualTo(SubjectAltNameMatcher.SanType.URI));
                }
                // Envoy: SDS only, the same SANs (typed).
                var e = upstream(envoy).getCommonTlsContext();
                assertThat(e.hasTlsCertificateProviderInstance()).isFalse();
                assertThat(e.getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("nodemesh-node-proxy");
                assertThat(e.getCombinedValidationContext()
                                .getValidationContextSdsSecretConfig()
                                .getName())
                        .isEqualTo(Names.TRUST_BUNDLE);
                assertThat(e.getCombinedValidationContext()
                                .getDefaultValidationContext()
                                .getMatchTypedSubjectAltNamesList())
                        .isEqualTo(g.getValidationContext().getMatchTypedSubjectAltNamesList());
                assertThat(routes).contains(Names.route(s, p), NODE_PROXY + Names.route(s, p));
            }
        }
        // The node proxy's routes name only its clusters, gRPC's only the shared ones; its chains fetch its routes.
        for (RouteConfiguration rc : shared.routes()) {
            boolean nodeProxy = rc.getName().startsWith(NODE_PROXY);
            for (String c : routedClusters(rc)) {
                assertThat(c.startsWith(NODE_PROXY))
                        .as(rc.getName() + " → " + c)
                        .isEqualTo(nodeProxy);
                assertThat(clusters).containsKey(c);
            }
        }
        Listener outbound = shared.listeners().stream()
                .filter(l -> l.getName().equals(Names.OUTBOUND_LISTENER))
                .findFirst()
                .orElseThrow();
        for (FilterChain chain : outbound.getFilterChainsList()) {
            assertThat(rdsName(chain)).startsWith(NODE_PROXY);
            assertThat(routes).contains(rdsName(chain));
        }

        var certs = new WorkloadCertificates(
                new SpiffeCa(state.encryption().trustDomain(), Duration.ofDays(1), Clock.systemUTC()),
                Duration.ofHours(1),
                Clock.systemUTC());
        for (Node n : state.nodes()) {
            MeshResources r = t.forNode(state, n.name(), shared, certs);
            assertThat(EnvoyValidator.uniqueNames(r)).isEmpty();
            assertThat(ProtoSchemaCheck.check(r)).isEmpty();
            assertThat(r.secrets()).anySatisfy(s -> assertThat(s.getName()).isEqualTo("nodemesh-node-proxy"));
            for (Listener l : r.listeners()) {
                if (!l.getName().startsWith("grpc/server")) continue;
                for (FilterChain fc : l.getFilterChainsList()) {
                    var d = fc.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
                    assertThat(d.getRequireClientCertificate().getValue()).isTrue();
                    assertThat(d.getCommonTlsContext()
                                    .getTlsCertificateProviderInstance()
                                    .getInstanceName())
                            .isEqualTo(Bootstraps.CERTIFICATE_PROVIDER);
                    assertThat(d.getCommonTlsContext().getTlsCertificateSdsSecretConfigsCount())
                            .isZero();
                }
            }
        }
    }

    /** Switching encryption either way, or changing a backend's identity, re-translates what depends on it. */
    @Property(tries = 60)
    void incrementalTranslationFollowsEncryptionAndIdentities(@ForAll("valid") MeshState generated) {
        MeshState plain = withMode(generated, EncryptionSpec.Mode.NONE);
        MeshState mtls = withMode(generated, EncryptionSpec.Mode.MTLS);
        MeshTranslator reused = new MeshTranslator(15001);
        reused.shared(plain);
        assertThat(reused.shared(mtls)).isEqualTo(new MeshTranslator(15001).shared(mtls));
        assertThat(reused.shared(plain)).isEqualTo(new MeshTranslator(15001).shared(plain));
        reused.shared(mtls);
        if (mtls.workloads().isEmpty()) return;
        Workload w = mtls.workloads().getFirst();
        var renamed = new Workload(
                w.namespace(), w.name(), w.node(), w.ips(), w.identity() + "-renamed", w.labels(), w.placement());
        MeshState next = new MeshState(
                mtls.nodes(),
                java.util.stream.Stream.concat(
                                java.util.stream.Stream.of(renamed),
                                mtls.workloads().stream().skip(1))
                        .toList(),
                mtls.services(),
                mtls.policies(),
                mtls.routes(),
                mtls.encryption());
        if (!next.validate().isEmpty() || !EnvoyValidator.validate(next).isEmpty()) return;
        assertThat(reused.shared(next)).isEqualTo(new MeshTranslator(15001).shared(next));
    }

    private static List<String> routedClusters(RouteConfiguration rc) {
        Set<String> out = new HashSet<>();
        rc.getVirtualHostsList().forEach(vh -> {
            for (Route r : vh.getRoutesList()) {
                if (!r.hasRoute()) continue;
                if (!r.getRoute().getCluster().isEmpty()) out.add(r.getRoute().getCluster());
                r.getRoute().getWeightedClusters().getClustersList().stream()
                        .map(WeightedCluster.ClusterWeight::getName)
                        .forEach(out::add);
            }
        });
        return List.copyOf(out);
    }

    private static String rdsName(FilterChain chain) {
        for (Filter f : chain.getFiltersList()) {
            try {
                if (f.getTypedConfig().is(HttpConnectionManager.class)) {
                    return f.getTypedConfig()
                            .unpack(HttpConnectionManager.class)
                            .getRds()
                            .getRouteConfigName();
                }
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no connection manager in " + chain.getName());
    }
}
