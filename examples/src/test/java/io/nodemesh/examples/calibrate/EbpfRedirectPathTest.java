package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.planner.calibration.RedirectPath.Pod;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state the redirect is programmed with, and the checks made before touching the kernel (no root needed). */
class EbpfRedirectPathTest {
    @Test
    void theStateNamesBothPodsOnOneNodeWithIdentitiesAndNamespaces() {
        MeshState s = EbpfRedirectPath.state(List.of(
                new Pod("a", "10.220.0.2", "/var/run/netns/nmp1-a"),
                new Pod("b", "10.220.0.3", "/var/run/netns/nmp1-b")));
        assertThat(s.validate()).isEmpty();
        assertThat(s.nodes())
                .singleElement()
                .satisfies(n -> assertThat(n.podCidrs()).containsExactly("10.220.0.0/24"));
        assertThat(s.workloads()).hasSize(2).allSatisfy(w -> {
            assertThat(w.node()).isEqualTo(EbpfRedirectPath.NODE);
            assertThat(w.identity()).startsWith("spiffe://cluster.local/ns/calibrate/sa/");
            assertThat(w.placement().netns()).startsWith("/var/run/netns/nmp1-");
        });
        assertThat(s.workloads()).extracting(w -> w.ips().getFirst()).containsExactly("10.220.0.2", "10.220.0.3");
    }

    @Test
    void aMissingCgroupMountIsAReasonNotAnError() {
        var path = new EbpfRedirectPath(Path.of("/nonexistent-cgroup2"));
        // Unavailable either way on a machine without root/eBPF; with them, the missing mount is the reason.
        assertThat(path.unavailability()).isPresent();
    }

    @Test
    void aBadPrefixIsRefusedBeforeAnythingIsMade() {
        assertThatThrownBy(() -> new EbpfRedirectPath().install("../x", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix");
    }
}
