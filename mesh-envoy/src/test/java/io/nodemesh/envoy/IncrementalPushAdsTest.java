package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.l7;
import static io.nodemesh.envoy.TestStates.nodeA;
import static io.nodemesh.envoy.TestStates.workload;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Applies that change one service are served from maps made by replacing entries and a diff the snapshot stage hands the
 * cache: over 20 random successive changes (an endpoint moved; a service added or removed, which takes the ordinary
 * path), a delta client gets exactly what changed and nothing else, and a state-of-the-world client ends up holding
 * what a fresh translation gives.
 */
class IncrementalPushAdsTest {
    private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;
    private static final int BASE = 40;

    private static String eds(String service) {
        return "outbound|8080||" + service + ".shop";
    }

    @ParameterizedTest
    @ValueSource(longs = {20261125L, 7L, 99L})
    void deltaGetsExactlyTheChangeAndStateOfTheWorldEndsFresh(long seed) throws Exception {
        Random rnd = new Random(seed);
        var b = MeshState.builder().node(nodeA()).workload(workload("web", "127.0.0.2"));
        for (int i = 0; i < BASE; i++)
            b.service(l7("svc" + i, "10.96.1." + (i + 1), 8080, List.of(Endpoint.ready("127.0.0.2", "shop/web"))));
        MeshState state = b.build();
        List<String> base = new ArrayList<>();
        for (int i = 0; i < BASE; i++) base.add(eds("svc" + i));

        try (EnvoyDataplane dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.xdsSecurity", "plaintext"));
                AdsStub delta = new AdsStub(dp.xdsPort(), "node-a~delta");
                AdsStub sotw = new AdsStub(dp.xdsPort(), "node-a~sotw")) {
            dp.apply(state);
            // Load assignments are not a wildcard type: the client names what it wants.
            delta.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(EDS).addAllResourceNamesSubscribe(base));
            DeltaDiscoveryResponse first = delta.nextDelta();
            assertThat(first.getResourcesList().stream().map(r -> r.getName()))
                    .containsExactlyInAnyOrderElementsOf(base);
            delta.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(EDS).setResponseNonce(first.getNonce()));

            Map<String, ClusterLoadAssignment> held = new LinkedHashMap<>();
            sotw.request(EDS, base, "", "", null);
            DiscoveryResponse full = sotw.next();
            for (var a : full.getResourcesList()) held.put(cla(a).getClusterName(), cla(a));
            assertThat(held.keySet()).containsExactlyInAnyOrderElementsOf(base);
            sotw.request(EDS, base, full.getVersionInfo(), full.getNonce(), null);

            List<String> extras = new ArrayList<>();
            int made = 0;
            for (int step = 0; step < 20; step++) {
                int kind = rnd.nextInt(10);
                String changedName;
                boolean removed = false;
                if (kind < 7 || kind == 9 && extras.isEmpty()) { // an endpoint moves
                    String svc = "svc" + rnd.nextInt(BASE);
                    String ip = "127.0.1." + (step + 1);
                    state = state.withService("shop/" + svc, s -> s.withEndpoints(List.of(Endpoint.ready(ip, ""))));
                    changedName = eds(svc);
                } else if (kind < 9) { // a service is added (size changes: the ordinary path)
                    String svc = "extra" + made++;
                    extras.add(svc);
                    MeshState.Builder nb = MeshState.builder().node(nodeA()).workload(workload("web", "127.0.0.2"));
                    state.services().forEach(nb::service);
                    nb.service(l7(svc, "10.96.2." + made, 8080, List.of(Endpoint.ready("127.0.0.2", "shop/web"))));
                    state = nb.build();
                    changedName = eds(svc);
                    // subscribed before it exists; it comes once it does (no nonce: this is not an ACK —
                    // java-control-plane
                    // fails the stream on a nonce whose response it no longer keeps)
                    delta.delta(
                            DeltaDiscoveryRequest.newBuilder().setTypeUrl(EDS).addResourceNamesSubscribe(changedName));
                } else { // one is removed
                    String svc = extras.remove(rnd.nextInt(extras.size()));
                    MeshState.Builder nb = MeshState.builder().node(nodeA()).workload(workload("web", "127.0.0.2"));
                    state.services().stream().filter(s -> !s.name().equals(svc)).forEach(nb::service);
                    state = nb.build();
                    changedName = eds(svc);
                    removed = true;
                }
                dp.apply(state);
                Map<String, ClusterLoadAssignment> fresh = freshEndpoints(state);

                DeltaDiscoveryResponse d = delta.nextDelta();
                if (removed) {
                    assertThat(d.getRemovedResourcesList()).as("step %d", step).containsExactly(changedName);
                    assertThat(d.getResourcesList())
                            .as("step %d: nothing else", step)
                            .isEmpty();
                } else {
                    assertThat(d.getRemovedResourcesList()).as("step %d", step).isEmpty();
                    assertThat(d.getResourcesList().stream().map(r -> r.getName()))
                            .as("step %d: only the change", step)
                            .containsExactly(changedName);
                    assertThat(d.getResources(0).getResource().unpack(ClusterLoadAssignment.class))
                            .isEqualTo(fresh.get(changedName));
                }
                delta.delta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(EDS).setResponseNonce(d.getNonce()));

                // State of the world: the client reads (and ACKs) what comes until it holds a fresh translation of what
                // it
                // asks for; a response that never comes fails the test (the client would be left stale). Only EDS is
                // asked
                // on this stream, so java-control-plane's "EDS again after a CDS response" does not add responses.
                Map<String, ClusterLoadAssignment> expected = new LinkedHashMap<>(fresh);
                expected.keySet().retainAll(base);
                while (!held.equals(expected)) {
                    DiscoveryResponse r = sotw.next();
                    assertThat(r.getTypeUrl()).isEqualTo(EDS);
                    for (var a : r.getResourcesList()) {
                        ClusterLoadAssignment c = cla(a);
                        assertThat(base).as("only asked-for names are sent").contains(c.getClusterName());
                        held.put(c.getClusterName(), c);
                    }
                    sotw.request(EDS, base, r.getVersionInfo(), r.getNonce(), null);
                }
                assertThat(held)
                        .as("step %d: the state-of-the-world client holds a fresh translation", step)
                        .isEqualTo(expected);
            }
        }
    }

    private static Map<String, ClusterLoadAssignment> freshEndpoints(MeshState state) {
        Map<String, ClusterLoadAssignment> out = new LinkedHashMap<>();
        for (ClusterLoadAssignment c : new MeshTranslator(15001).shared(state).endpoints())
            out.put(c.getClusterName(), c);
        return out;
    }

    private static ClusterLoadAssignment cla(com.google.protobuf.Any a) {
        try {
            return a.unpack(ClusterLoadAssignment.class);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
