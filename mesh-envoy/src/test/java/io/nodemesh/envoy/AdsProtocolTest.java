package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The xDS protocol as a raw ADS client sees it: versions, nonces, ACK and NACK, SDS and delta. */
class AdsProtocolTest {
    private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
    private static final String LDS = Resources.V3.LISTENER_TYPE_URL;
    private static final String RDS = Resources.V3.ROUTE_TYPE_URL;
    private static final String SDS = Resources.V3.SECRET_TYPE_URL;

    private EnvoyDataplane dp;
    private AdsStub ads;

    @BeforeEach
    void start() {
        dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.xdsSecurity", "plaintext"));
        ads = new AdsStub(dp.xdsPort(), "node-a~stub");
    }

    @AfterEach
    void stop() throws Exception {
        ads.close();
        dp.close();
    }

    private static MeshState state(int services, EncryptionSpec encryption) {
        var b = MeshState.builder()
                .node(nodeA())
                .workload(workload("web", "127.0.0.2"))
                .encryption(encryption);
        for (int i = 0; i < services; i++) {
            b.service(l7("svc" + i, "10.96.1." + (i + 1), 8080, List.of(Endpoint.ready("127.0.0.2", "shop/web"))));
        }
        return b.build();
    }

    @Test
    void responsesCarryVersionNonceAndTypedResourcesAndAckOpensAWatch() throws Exception {
        dp.apply(state(2, EncryptionSpec.NONE));
        ads.request(CDS, List.of(), "", "", null);
        DiscoveryResponse first = ads.next();
        assertThat(first.getTypeUrl()).isEqualTo(CDS);
        assertThat(first.getVersionInfo()).isEqualTo("1");
        assertThat(first.getNonce()).isNotEmpty();
        assertThat(first.getResourcesList())
                .allSatisfy(a -> assertThat(a.getTypeUrl()).isEqualTo(CDS));
        assertThat(first.getResourcesList().stream()
                        .map(a -> unpack(a, Cluster.class).getName()))
                .contains("outbound|8080||svc0.shop", "outbound|8080||svc1.shop", "nodemesh-passthrough");

        ads.request(CDS, List.of(), first.getVersionInfo(), first.getNonce(), null); // ACK
        Eventually.until(
                "the ACK is in the health",
                () -> dp.health().getFirst().clients().stream()
                        .anyMatch(c -> c.resourceType().equals("Cluster") && c.upToDate()));
        dp.apply(state(3, EncryptionSpec.NONE));
        DiscoveryResponse second = ads.next();
        assertThat(second.getVersionInfo()).isEqualTo("2");
        assertThat(second.getNonce()).isNotEqualTo(first.getNonce());
        assertThat(second.getResourcesCount()).isEqualTo(first.getResourcesCount() + 1);
    }

    @Test
    void aTypeKeepsItsVersionWhileItsContentIsUnchanged() {
        // svc0's backend is outside the mesh, so moving it touches no node's server listener.
        MeshState base = state(2, EncryptionSpec.NONE)
                .withService("shop/svc0", s -> s.withEndpoints(List.of(Endpoint.ready("192.0.2.1", ""))));
        dp.apply(base);
        Map<String, String> before = dp.servedVersions("node-a");
        // Only an endpoint changes: endpoints get a new version, clusters, routes and listeners keep theirs.
        dp.apply(base.withService("shop/svc0", s -> s.withEndpoints(List.of(Endpoint.ready("192.0.2.2", "")))));
        Map<String, String> after = dp.servedVersions("node-a");
        assertThat(after.get(Resources.V3.ENDPOINT_TYPE_URL)).isEqualTo("2");
        assertThat(after.get(CDS)).isEqualTo(before.get(CDS)).isEqualTo("1");
        assertThat(after.get(RDS)).isEqualTo(before.get(RDS));
        assertThat(after.get(LDS)).isEqualTo(before.get(LDS));
    }

    @Test
    void nackIsReportedWithTheClientsDetailAndTheLastAcceptedVersionKeepsServing() {
        dp.apply(state(1, EncryptionSpec.NONE));
        ads.request(LDS, List.of(), "", "", null);
        DiscoveryResponse v1 = ads.next();
        ads.request(LDS, List.of(), v1.getVersionInfo(), v1.getNonce(), null);

        dp.apply(state(2, EncryptionSpec.NONE));
        DiscoveryResponse v2 = ads.next();
        assertThat(v2.getVersionInfo()).isEqualTo("2");
        ads.request(LDS, List.of(), v1.getVersionInfo(), v2.getNonce(), "listener rejected: port in use");

        Eventually.until("the NACK is reported", () -> !dp.nacks().isEmpty());
        Nack nack = dp.nacks().getFirst();
        assertThat(nack.node()).isEqualTo("node-a");
        assertThat(nack.typeUrl()).isEqualTo(LDS);
        assertThat(nack.rejectedVersion()).isEqualTo("2");
        assertThat(nack.errorDetail()).isEqualTo("listener rejected: port in use");
        assertThat(nack.servingVersion()).isEqualTo("1");
        assertThat(dp.servedVersions("node-a").get(LDS)).isEqualTo("1");
        BackendHealth health = dp.health().getFirst();
        assertThat(health.clients())
                .filteredOn(c -> c.resourceType().equals("Listener"))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.node()).isEqualTo("node-a");
                    assertThat(c.sentVersion()).contains("2");
                    assertThat(c.ackedVersion()).contains("1");
                    assertThat(c.nacks()).isOne();
                    assertThat(c.lastNack()).contains("listener rejected: port in use");
                });
        assertThat(health.problems()).singleElement().asString().contains("node-a", "Listener version 2");

        // The rejected version is not pushed again; the next apply is the next thing the client sees.
        dp.apply(state(3, EncryptionSpec.NONE));
        DiscoveryResponse v3 = ads.next();
        assertThat(v3.getVersionInfo()).isEqualTo("3");
        assertThat(v3.getResourcesList().stream()
                        .map(a -> unpack(a, Listener.class).getName()))
                .contains("svc2.shop");
    }

    @Test
    void sdsServesWorkloadCertificatesWithSpiffeIdsSignedByTheTrustBundle() throws Exception {
        dp.apply(state(1, new EncryptionSpec(EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.STRICT, TD)));
        String id = "spiffe://cluster.local/ns/shop/sa/web";
        ads.request(SDS, List.of(id, "nodemesh-trust-bundle"), "", "", null);
        DiscoveryResponse r = ads.next();
        Map<String, Secret> secrets = new java.util.HashMap<>();
        r.getResourcesList().forEach(a -> {
            Secret s = unpack(a, Secret.class);
            secrets.put(s.getName(), s);
        });
        assertThat(secrets).containsKeys(id, "nodemesh-trust-bundle");

        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate ca =
                (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(secrets.get("nodemesh-trust-bundle")
                        .getValidationContext()
                        .getTrustedCa()
                        .getInlineString()
                        .getBytes(StandardCharsets.US_ASCII)));
        X509Certificate leaf = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(secrets.get(id)
                .getTlsCertificate()
                .getCertificateChain()
                .getInlineString()
                .getBytes(StandardCharsets.US_ASCII)));
        leaf.verify(ca.getPublicKey());
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, id));
        assertThat(Duration.between(
                        leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofMinutes(61));
        assertThat(secrets.get(id).getTlsCertificate().getPrivateKey().getInlineString())
                .startsWith("-----BEGIN PRIVATE KEY-----");

        // The server listener of the workload's backend requires client certificates from SDS.
        ads.request(SDS, List.of(id, "nodemesh-trust-bundle"), r.getVersionInfo(), r.getNonce(), null);
        ads.request(LDS, List.of(), "", "", null);
        DiscoveryResponse lds = ads.next();
        Listener server = lds.getResourcesList().stream()
                .map(a -> unpack(a, Listener.class))
                .filter(l -> l.getName().startsWith("grpc/server"))
                .findFirst()
                .orElseThrow();
        assertThat(server.getFilterChains(0).getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    }

    @Test
    void deltaSendsOnlyWhatChangedAndNamesRemovedResources() {
        dp.apply(state(3, EncryptionSpec.NONE));
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS));
        DeltaDiscoveryResponse first = ads.nextDelta();
        assertThat(first.getResourcesList().stream().map(r -> r.getName()))
                .contains("outbound|8080||svc0.shop", "outbound|8080||svc1.shop", "outbound|8080||svc2.shop");
        assertThat(first.getResourcesList())
                .allSatisfy(r -> assertThat(r.getVersion()).isNotEmpty());
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).setResponseNonce(first.getNonce()));

        dp.apply(state(2, EncryptionSpec.NONE));
        DeltaDiscoveryResponse second = ads.nextDelta();
        assertThat(second.getRemovedResourcesList()).containsExactly("outbound|8080||svc2.shop");
        assertThat(second.getResourcesList())
                .as("unchanged clusters are not re-sent")
                .isEmpty();
    }

    /**
     * java-control-plane's delta stream ends with a NullPointerException on a request whose nonce it no longer holds (an
     * ACK repeated, or one for a response that was already acknowledged); nodemesh treats such a request as a plain one.
     */
    @Test
    void aDeltaRequestWithAStaleNonceDoesNotEndTheStream() {
        dp.apply(state(3, EncryptionSpec.NONE));
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS));
        DeltaDiscoveryResponse first = ads.nextDelta();
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).setResponseNonce(first.getNonce()));
        ads.delta(
                DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).setResponseNonce(first.getNonce())); // again: stale
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).setResponseNonce("no-such-nonce"));

        dp.apply(state(2, EncryptionSpec.NONE));
        DeltaDiscoveryResponse second = ads.nextDelta();
        assertThat(second.getRemovedResourcesList())
                .as("the stream is alive and still tracks what the client holds")
                .containsExactly("outbound|8080||svc2.shop");
    }

    @Test
    void stateOfTheWorldEndpointChangeSendsOnlyTheChangedAssignmentUntilTheClientAsksForMore() {
        String eds = Resources.V3.ENDPOINT_TYPE_URL;
        List<String> all = List.of("outbound|8080||svc0.shop", "outbound|8080||svc1.shop", "outbound|8080||svc2.shop");
        MeshState before = state(3, EncryptionSpec.NONE);
        dp.apply(before);
        ads.request(eds, all, "", "", null);
        DiscoveryResponse first = ads.next();
        assertThat(names(first)).containsExactlyInAnyOrderElementsOf(all);
        ads.request(eds, all, first.getVersionInfo(), first.getNonce(), null); // ACK
        barrier();

        // An open watch (the ACK came first): only the changed assignment.
        MeshState moved = moveEndpoint(before, "svc0", "127.0.0.9");
        dp.apply(moved);
        DiscoveryResponse change = ads.next();
        assertThat(change.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
        assertThat(names(change)).as("only the changed assignment").containsExactly(all.get(0));
        assertThat(unpack(change.getResources(0), ClusterLoadAssignment.class).toString())
                .contains("127.0.0.9");

        // The ACK comes after the next apply: the changes since the version it runs, again only those.
        dp.apply(moveEndpoint(moved, "svc2", "127.0.0.8"));
        ads.request(eds, all, change.getVersionInfo(), change.getNonce(), null);
        DiscoveryResponse late = ads.next();
        assertThat(names(late)).containsExactly(all.get(2));

        // The client drops svc1 (it may forget it) and asks for it again: it must get it again, not be told it has it.
        ads.request(eds, List.of(all.get(0), all.get(2)), late.getVersionInfo(), late.getNonce(), null);
        ads.request(eds, all, late.getVersionInfo(), late.getNonce(), null);
        assertThat(names(ads.next())).contains(all.get(1));
    }

    /** A request answering an older response only changes the names; they are served once the one in flight is answered. */
    @Test
    void aStateOfTheWorldRequestWithAStaleNonceWaitsForTheResponseInFlight() {
        String eds = Resources.V3.ENDPOINT_TYPE_URL;
        List<String> one = List.of("outbound|8080||svc0.shop");
        List<String> two = List.of("outbound|8080||svc0.shop", "outbound|8080||svc1.shop");
        dp.apply(state(3, EncryptionSpec.NONE));
        ads.request(eds, one, "", "", null);
        DiscoveryResponse first = ads.next();
        ads.request(eds, two, "", "an older nonce", null);
        barrier(); // nothing of EDS came before this CDS response

        ads.request(eds, two, first.getVersionInfo(), first.getNonce(), null);
        DiscoveryResponse more = ads.next();
        assertThat(more.getVersionInfo()).isEqualTo(first.getVersionInfo());
        assertThat(names(more)).as("only the name it newly asks for").containsExactly(two.get(1));
    }

    @Test
    void anUnknownTypeUrlEndsTheStreamNamingIt() {
        ads.request("type.googleapis.com/envoy.nothing.v3.Thing", List.of(), "", "", null);
        assertThat(ads.failure())
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("envoy.nothing.v3.Thing");
    }

    /** Requests on one ADS stream are handled in order: once a later request is answered, the earlier ones are done. */
    private void barrier() {
        ads.request(CDS, List.of(), "", "", null);
        assertThat(ads.next().getTypeUrl()).isEqualTo(CDS);
    }

    private static MeshState moveEndpoint(MeshState state, String service, String ip) {
        var svc = state.services().stream()
                .filter(s -> s.name().equals(service))
                .findFirst()
                .orElseThrow();
        return state.withService(svc.key(), s -> s.withEndpoints(List.of(Endpoint.ready(ip, "shop/web"))));
    }

    private static List<String> names(DiscoveryResponse r) {
        return r.getResourcesList().stream()
                .map(a -> unpack(a, ClusterLoadAssignment.class).getClusterName())
                .toList();
    }

    /** Explicit delta subscriptions: only subscribed names come, a name subscribed later comes alone, an unsubscribed one no more. */
    @Test
    void deltaFollowsSubscriptionsNameByName() {
        String eds = Resources.V3.ENDPOINT_TYPE_URL;
        MeshState state = state(3, EncryptionSpec.NONE);
        dp.apply(state);
        ads.delta(DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(eds)
                .addResourceNamesSubscribe("outbound|8080||svc0.shop")
                .addResourceNamesSubscribe("outbound|8080||svc1.shop"));
        DeltaDiscoveryResponse first = ads.nextDelta();
        assertThat(first.getResourcesList().stream().map(r -> r.getName()))
                .containsExactlyInAnyOrder("outbound|8080||svc0.shop", "outbound|8080||svc1.shop");
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(eds).setResponseNonce(first.getNonce()));

        ads.delta(DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(eds)
                .addResourceNamesSubscribe("outbound|8080||svc2.shop")
                .addResourceNamesUnsubscribe("outbound|8080||svc0.shop"));
        DeltaDiscoveryResponse added = ads.nextDelta();
        assertThat(added.getResourcesList().stream().map(r -> r.getName())).containsExactly("outbound|8080||svc2.shop");
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(eds).setResponseNonce(added.getNonce()));

        state = moveEndpoint(moveEndpoint(state, "svc0", "127.0.0.9"), "svc1", "127.0.0.8");
        dp.apply(state);
        DeltaDiscoveryResponse changed = ads.nextDelta();
        assertThat(changed.getResourcesList().stream().map(r -> r.getName()))
                .as("svc0 is no longer subscribed")
                .containsExactly("outbound|8080||svc1.shop");
        ClusterLoadAssignment svc1 = unpack(changed.getResources(0).getResource(), ClusterLoadAssignment.class);
        assertThat(svc1.getEndpoints(0)
                        .getLbEndpoints(0)
                        .getEndpoint()
                        .getAddress()
                        .getSocketAddress()
                        .getAddress())
                .isEqualTo("127.0.0.8");
    }

    @Test
    void deltaNackIsReported() {
        dp.apply(state(1, EncryptionSpec.NONE));
        ads.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS));
        DeltaDiscoveryResponse first = ads.nextDelta();
        ads.delta(DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(CDS)
                .setResponseNonce(first.getNonce())
                .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("cluster rejected")));
        Eventually.until("the delta NACK is reported", () -> !dp.nacks().isEmpty());
        assertThat(dp.nacks().getFirst().delta()).isTrue();
        assertThat(dp.nacks().getFirst().errorDetail()).isEqualTo("cluster rejected");
        assertThat(dp.health().getFirst().clients())
                .filteredOn(c -> c.resourceType().equals("Cluster"))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.nacks()).isOne();
                    assertThat(c.ackedVersion()).isEmpty();
                    assertThat(c.lastNack()).contains("cluster rejected");
                });
    }

    private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any a, Class<T> type) {
        try {
            return a.unpack(type);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
