package io.nodemesh.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.nodemesh.api.state.Violation;
import io.nodemesh.envoy.internal.translate.MeshResources;
import io.nodemesh.envoy.internal.translate.SharedChecks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The incremental checks find the same problems as a full check: a replacement that takes another resource's name, a
 * replacement that breaks the schema, and duplicates introduced by lists that changed length.
 */
class SharedChecksTest {
    private static Cluster cluster(String name) {
        return Cluster.newBuilder()
                .setName(name)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                .build();
    }

    private static MeshResources of(List<Cluster> clusters) {
        List<ClusterLoadAssignment> cla = clusters.stream()
                .map(c -> ClusterLoadAssignment.newBuilder()
                        .setClusterName(c.getName())
                        .build())
                .toList();
        return new MeshResources(clusters, cla, List.of(), List.of(), List.of());
    }

    private static SharedChecks passedWith(MeshResources r) {
        SharedChecks checks = new SharedChecks();
        assertThat(checks.check(r, true)).isEmpty();
        checks.passed(r);
        return checks;
    }

    @Test
    void aReplacementInPlaceThatTakesAnotherName() {
        List<Cluster> clusters = new ArrayList<>(List.of(cluster("a"), cluster("b"), cluster("c")));
        SharedChecks checks = passedWith(of(clusters));
        List<Cluster> renamed = new ArrayList<>(clusters);
        renamed.set(2, cluster("a"));
        assertThat(checks.check(
                        new MeshResources(renamed, of(clusters).endpoints(), List.of(), List.of(), List.of()), true))
                .extracting(Violation::path)
                .containsExactly("clusters[a]");
    }

    @Test
    void aReplacementInPlaceThatBreaksTheSchema() {
        List<Cluster> clusters = new ArrayList<>(List.of(cluster("a"), cluster("b")));
        SharedChecks checks = passedWith(of(clusters));
        List<Cluster> broken = new ArrayList<>(clusters);
        broken.set(
                1,
                Cluster.newBuilder()
                        .setName("b")
                        .setConnectTimeout(com.google.protobuf.Duration.newBuilder())
                        .build());
        MeshResources next = new MeshResources(broken, of(clusters).endpoints(), List.of(), List.of(), List.of());
        assertThat(checks.check(next, true)).extracting(Violation::path).containsExactly("clusters[b].connect_timeout");
        // Without the schema check the same change passes: only names are checked.
        assertThat(checks.check(next, false)).isEmpty();
    }

    @Test
    void anAddedDuplicateIsFoundByTheFullCheck() {
        List<Cluster> clusters = List.of(cluster("a"), cluster("b"));
        SharedChecks checks = passedWith(of(clusters));
        List<Cluster> more = List.of(cluster("a"), cluster("b"), cluster("b"));
        assertThat(checks.check(of(more), true))
                .extracting(Violation::path)
                .containsExactlyInAnyOrder("clusters[b]", "endpoints[b]");
    }

    @Test
    void aFailedCheckIsNotRemembered() {
        List<Cluster> clusters = List.of(cluster("a"), cluster("b"));
        SharedChecks checks = passedWith(of(clusters));
        List<Cluster> broken = List.of(
                cluster("a"),
                Cluster.newBuilder().setName("b").build().toBuilder()
                        .setConnectTimeout(com.google.protobuf.Duration.newBuilder())
                        .build());
        MeshResources bad = new MeshResources(broken, of(clusters).endpoints(), List.of(), List.of(), List.of());
        assertThat(checks.check(bad, true)).isNotEmpty();
        // The next apply is compared with the last one that passed, so the broken cluster is still reported.
        assertThat(checks.check(bad, true)).isNotEmpty();
    }
}
