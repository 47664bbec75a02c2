package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xDS over mTLS ({@code envoy.xdsSecurity=mtls}) with clients authenticated by node, spoken by hand over ADS: node A's
 * certificate gets node A's resources, asking as node B with it ends the stream PERMISSION_DENIED, asking for the
 * secret of a workload on node B gets node A's own secrets only, and a client with no certificate is refused at the
 * handshake.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class XdsNodeIdentityTest {
    @TempDir
    Path tmp;

    private EnvoyDataplane dp;

    @AfterEach
    void close() {
        if (dp != null) dp.close();
    }

    private EnvoyDataplane open() {
        dp = new EnvoyDataplane(new DataplaneOptions(
                "", Map.of("envoy.caDir", tmp.resolve("ca").toString(), "envoy.xdsSecurity", "mtls")));
        dp.apply(MeshState.builder().node(nodeA()).build());
        return dp;
    }

    private ChannelCredentials nodeCredentials(String node) throws Exception {
        Path dir = tmp.resolve("xds-" + node);
        dp.writeXdsClientCredentials(node, dir);
        return TlsChannelCredentials.newBuilder()
                .keyManager(
                        dir.resolve(Bootstraps.CERT_FILE).toFile(),
                        dir.resolve(Bootstraps.KEY_FILE).toFile())
                .trustManager(meshRootsWithoutHostname(dir.resolve(Bootstraps.CA_FILE)))
                .build();
    }

    @Test
    void aNodeGetsItsOwnResourcesOverMtls() throws Exception {
        open();
        try (AdsStub ads = new AdsStub(dp.xdsPort(), "node-a~proxy", nodeCredentials("node-a"))) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "", null);
            assertThat(ads.next().getTypeUrl()).isEqualTo(Resources.V3.CLUSTER_TYPE_URL);
        }
    }

    @Test
    void nodeACertificateAskingAsNodeBIsDenied() throws Exception {
        open();
        try (AdsStub ads = new AdsStub(dp.xdsPort(), "node-b", nodeCredentials("node-a"))) {
            ads.request(Resources.V3.SECRET_TYPE_URL, List.of(), "", "", null);
            Throwable t = ads.failure();
            assertThat(t).isInstanceOf(StatusRuntimeException.class);
            assertThat(((StatusRuntimeException) t).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(t).hasMessageContaining("authenticated as node node-a, not node-b");
            assertThat(dp.xdsDenials()).isEqualTo(1);
        }
    }

    @Test
    void nodeAGetsItsOwnWorkloadsSecretsAndNeverOneOfAWorkloadOnNodeB() throws Exception {
        open();
        String web = "spiffe://" + TestStates.TD + "/ns/shop/sa/web";
        String db = "spiffe://" + TestStates.TD + "/ns/shop/sa/db";
        dp.apply(MeshState.builder()
                .node(nodeA())
                .node(new Node("node-b", List.of("127.0.1.1"), List.of("127.0.1.0/24"), ""))
                .workload(TestStates.workload("web", "127.0.0.2"))
                .workload(new Workload("shop", "db", "node-b", List.of("127.0.1.2"), db, Map.of("app", "db"), null))
                .encryption(
                        new EncryptionSpec(EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.STRICT, TestStates.TD))
                .build());
        try (AdsStub ads = new AdsStub(dp.xdsPort(), "node-a~proxy", nodeCredentials("node-a"))) {
            // Delta answers with what of the subscription exists (state of the world would wait for every name).
            ads.delta(DeltaDiscoveryRequest.newBuilder()
                    .setTypeUrl(Resources.V3.SECRET_TYPE_URL)
                    .addResourceNamesSubscribe(web)
                    .addResourceNamesSubscribe(db));
            DeltaDiscoveryResponse r = ads.nextDelta();
            List<String> names = r.getResourcesList().stream()
                    .map(io.envoyproxy.envoy.service.discovery.v3.Resource::getResource)
                    .map(a -> {
                        try {
                            return a.unpack(Secret.class).getName();
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            throw new AssertionError(e);
                        }
                    })
                    .toList();
            assertThat(names)
                    .as("node A's proxy holds keys of node A's workloads only")
                    .contains(web)
                    .doesNotContain(db);
        }
    }

    @Test
    void aClientWithoutACertificateIsRefusedAtTheHandshake() throws Exception {
        open();
        Path dir = tmp.resolve("roots-only");
        dp.writeXdsClientCredentials("node-a", dir);
        ChannelCredentials noCert = TlsChannelCredentials.newBuilder()
                .trustManager(meshRootsWithoutHostname(dir.resolve(Bootstraps.CA_FILE)))
                .build();
        try (AdsStub ads = new AdsStub(dp.xdsPort(), "node-a", noCert)) {
            ads.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "", null);
            Throwable t = ads.failure();
            assertThat(((StatusRuntimeException) t).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
    }

    /** The mesh roots, checking the chain only: the xDS server's certificate names a SPIFFE id, not a host. */
    private static X509ExtendedTrustManager meshRootsWithoutHostname(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        try (var in = java.nio.file.Files.newInputStream(caPem)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in))
                store.setCertificateEntry("root-" + i++, c);
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        X509TrustManager pkix = (X509TrustManager) f.getTrustManagers()[0];
        return new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
                    throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
                    throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a client checks no clients");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s)
                    throws CertificateException {
                checkClientTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e)
                    throws CertificateException {
                checkClientTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return pkix.getAcceptedIssuers();
            }
        };
    }
}
