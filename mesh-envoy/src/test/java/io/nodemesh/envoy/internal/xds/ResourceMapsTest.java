package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.nodemesh.envoy.internal.translate.MeshResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link ResourceMaps#replacing} (through {@link NodeSnapshots}, as an apply uses it): whatever the sequence of resource
 * lists, the maps a node is served hold exactly what {@code SnapshotResources.create} makes of the same resources —
 * the same names in the same order, the same resources and per-resource versions — whether the maps were made by
 * replacing a few entries or, after a rename, an addition or a removal, from scratch.
 */
class ResourceMapsTest {

    private static ClusterLoadAssignment cla(String name, String ip) {
        return ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(LbEndpoint.newBuilder()
                                .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                        .setAddress(Address.newBuilder()
                                                .setSocketAddress(SocketAddress.newBuilder()
                                                        .setAddress(ip)
                                                        .setPortValue(80))))))
                .build();
    }

    private static Listener listener(String name, int port) {
        return Listener.newBuilder()
                .setName(name)
                .setAddress(Address.newBuilder()
                        .setSocketAddress(
                                SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(port)))
                .build();
    }

    /** What java-control-plane makes of {@code list} at {@code version}, with the per-resource versions NodeSnapshots gives. */
    private static <T extends Message> SnapshotResources<T> expected(List<T> list, String version) {
        List<VersionedResource<T>> items = new ArrayList<>();
        for (T m : list)
            items.add(VersionedResource.create(m, Integer.toHexString(m.hashCode()) + "-" + m.getSerializedSize()));
        return SnapshotResources.create(items, names -> version);
    }

    private static void sameMaps(SnapshotResources<?> actual, SnapshotResources<?> expected) {
        assertThat(actual.versionedResources()).isEqualTo(expected.versionedResources());
        assertThat(List.copyOf(actual.versionedResources().keySet()))
                .isEqualTo(List.copyOf(expected.versionedResources().keySet()));
        assertThat(actual.resources()).isEqualTo(expected.resources());
        assertThat(List.copyOf(actual.resources().keySet()))
                .isEqualTo(List.copyOf(expected.resources().keySet()));
        assertThat(actual.version(List.of())).isEqualTo(expected.version(List.of()));
        assertThat(actual.version(List.of("x"))).isEqualTo(expected.version(List.of("x")));
    }

    /** One apply: every node's snapshot prepared, packed and served, as EnvoyDataplane does. */
    private static Map<String, Snapshot> apply(
            NodeSnapshots snapshots, Map<String, MeshResources> perNode, long generation) {
        NodeSnapshots.Batch batch = new NodeSnapshots.Batch();
        Map<String, Snapshot> prepared = new java.util.LinkedHashMap<>();
        perNode.forEach((node, r) -> prepared.put(node, snapshots.prepare(node, r, generation, batch)));
        snapshots.pack(batch);
        prepared.forEach((node, s) -> snapshots.serve(node, s, batch, perNode.get(node)));
        return prepared;
    }

    @Property(tries = 60)
    void servedMapsEqualFreshOnesOverRandomChanges(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int steps) {
        Random rnd = new Random(seed);
        NodeSnapshots snapshots = new NodeSnapshots();
        int size = 10 + rnd.nextInt(200);
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        for (int i = 0; i < size; i++) endpoints.add(cla("c" + i, "10.0.0." + rnd.nextInt(250)));
        List<Listener> shared = new ArrayList<>();
        for (int i = 0; i < 20; i++) shared.add(listener("l" + i, 10000 + i));
        List<Cluster> clusters =
                List.of(Cluster.newBuilder().setName("passthrough").build());
        int extra = 0;
        for (long gen = 1; gen <= steps + 1; gen++) {
            List<Listener> sharedNow = List.copyOf(shared);
            List<ClusterLoadAssignment> endpointsNow = List.copyOf(endpoints);
            // node-a has a server listener of its own, node-b only the shared ones (as in a real apply)
            List<Listener> ofA = new ArrayList<>(sharedNow);
            ofA.add(listener("server-a", 50051));
            Map<String, MeshResources> perNode = new java.util.LinkedHashMap<>();
            perNode.put(
                    "node-a", new MeshResources(clusters, endpointsNow, ofA, List.<RouteConfiguration>of(), List.of()));
            perNode.put(
                    "node-b",
                    new MeshResources(clusters, endpointsNow, sharedNow, List.<RouteConfiguration>of(), List.of()));
            Map<String, Snapshot> served = apply(snapshots, perNode, gen);
            for (String node : perNode.keySet()) {
                Snapshot s = snapshots.current(node).orElseThrow();
                assertThat(s).isSameAs(served.get(node));
                sameMaps(s.endpoints(), expected(endpointsNow, s.endpoints().version(List.of())));
                sameMaps(
                        s.listeners(),
                        expected(perNode.get(node).listeners(), s.listeners().version(List.of())));
                sameMaps(s.clusters(), expected(clusters, s.clusters().version(List.of())));
            }
            // the next apply's change
            switch (rnd.nextInt(8)) {
                case 0, 1, 2 -> { // one endpoint moves (the common case: maps made by replacing one entry)
                    int i = rnd.nextInt(endpoints.size());
                    endpoints.set(i, cla(endpoints.get(i).getClusterName(), "10.1." + rnd.nextInt(250) + "." + gen));
                }
                case 3 -> { // a few move
                    for (int k = rnd.nextInt(4); k >= 0; k--) {
                        int i = rnd.nextInt(endpoints.size());
                        endpoints.set(
                                i, cla(endpoints.get(i).getClusterName(), "10.2." + rnd.nextInt(250) + "." + gen));
                    }
                }
                case 4 -> { // renamed in place: same position, another name
                    int i = rnd.nextInt(endpoints.size());
                    endpoints.set(i, cla("renamed-" + gen, "10.3.0." + gen));
                }
                case 5 ->
                    endpoints.add(rnd.nextInt(endpoints.size() + 1), cla("added-" + extra++, "10.4.0.1")); // added
                case 6 -> { // removed, and then a listener changes
                    if (endpoints.size() > 2) endpoints.remove(rnd.nextInt(endpoints.size()));
                    int l = rnd.nextInt(shared.size());
                    shared.set(l, listener(shared.get(l).getName(), 20000 + (int) gen));
                }
                default -> { // only a listener changes: endpoints keep their maps
                    int l = rnd.nextInt(shared.size());
                    shared.set(l, listener(shared.get(l).getName(), 30000 + (int) gen));
                }
            }
        }
    }

    /** The replaced maps carry the apply's version, and an unchanged type keeps its version and its very maps. */
    @Test
    void oneChangeGivesReplacedMapsAtTheNewVersionAndLeavesOtherTypesAlone() {
        NodeSnapshots snapshots = new NodeSnapshots();
        List<ClusterLoadAssignment> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) first.add(cla("c" + i, "10.0.0.1"));
        List<Listener> listeners = List.of(listener("l", 1));
        MeshResources r1 = new MeshResources(List.of(), List.copyOf(first), listeners, List.of(), List.of());
        Snapshot s1 = apply(snapshots, Map.of("n", r1), 1).get("n");
        List<ClusterLoadAssignment> second = new ArrayList<>(first);
        second.set(42, cla("c42", "10.9.9.9"));
        MeshResources r2 = new MeshResources(List.of(), List.copyOf(second), listeners, List.of(), List.of());
        Snapshot s2 = apply(snapshots, Map.of("n", r2), 2).get("n");
        assertThat(s2.endpoints().version(List.of()))
                .isEqualTo("2")
                .isNotEqualTo(s1.endpoints().version(List.of()));
        assertThat(s2.endpoints()).as("made by replacing one entry").isInstanceOf(ResourceMaps.class);
        sameMaps(s2.endpoints(), expected(second, "2"));
        assertThat(s2.endpoints().resources().get("c42")).isSameAs(second.get(42));
        assertThat(s2.endpoints().versionedResources().get("c41"))
                .isSameAs(s1.endpoints().versionedResources().get("c41"));
        assertThat(s1.endpoints().resources().get("c42")).isSameAs(first.get(42)); // the old snapshot is untouched
        assertThat(s2.listeners()).isSameAs(s1.listeners());
    }
}
