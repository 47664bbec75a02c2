package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Certificate rotation reaches the xDS snapshot: a new SDS version, nothing else re-sent. */
class RotationTest {
    @Test
    void dueCertificatesArePublishedAsANewSecretsVersion() {
        var clock = new MovableClock();
        try (var dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.certLifetime", "PT10M"), clock)) {
            dp.apply(MeshState.builder()
                    .node(nodeA())
                    .workload(workload("web", "127.0.0.2"))
                    .encryption(new EncryptionSpec(EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.STRICT, TD))
                    .build());
            var before = dp.servedVersions("node-a");
            assertThat(dp.rotateIfDue()).isFalse();

            clock.now = clock.now.plus(Duration.ofMinutes(6));
            assertThat(dp.rotateIfDue()).isTrue();
            var after = dp.servedVersions("node-a");
            assertThat(after.get(Resources.V3.SECRET_TYPE_URL)).isNotEqualTo(before.get(Resources.V3.SECRET_TYPE_URL));
            assertThat(after.get(Resources.V3.CLUSTER_TYPE_URL)).isEqualTo(before.get(Resources.V3.CLUSTER_TYPE_URL));
            assertThat(after.get(Resources.V3.LISTENER_TYPE_URL)).isEqualTo(before.get(Resources.V3.LISTENER_TYPE_URL));
        }
    }
}
