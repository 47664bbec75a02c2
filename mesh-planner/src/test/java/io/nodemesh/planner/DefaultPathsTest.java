package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * With the defaults, the unloaded one-way latencies at 64 bytes are the four numbers measured here (DESIGN.md):
 * sidecar path 17.3 us, one node-proxy hop 9.9 us, sockops redirect 2.15 us — and encryption and crossing nodes only
 * ever add.
 */
class DefaultPathsTest {
    private final Planner planner = new Planner(ParameterFile.defaults());

    private double oneWay(String model, boolean cross, boolean l7) {
        return planner.unloadedRoundTripUs(Model.parse(model), 64, cross, l7) / 2;
    }

    @Test
    void reproducesTheMeasuredPaths() {
        assertThat(oneWay("sidecar", false, false)).isCloseTo(17.3, within(0.2));
        assertThat(oneWay("node", false, false)).isCloseTo(9.9, within(0.2));
        assertThat(oneWay("ebpf", false, false)).isCloseTo(2.15, within(0.05));
    }

    @Test
    void encryptionCrossingNodesAndL7OnlyAdd() {
        for (String m : new String[] {"sidecar", "node", "ebpf"}) {
            assertThat(oneWay(m, true, false)).as(m + " across nodes").isGreaterThan(oneWay(m, false, false));
            assertThat(oneWay(m, false, true)).as(m + " L7").isGreaterThan(oneWay(m, false, false));
        }
        assertThat(oneWay("sidecar+mtls", false, false)).isGreaterThan(oneWay("sidecar", false, false));
        assertThat(oneWay("ebpf+wireguard", true, false)).isGreaterThan(oneWay("ebpf", true, false));
        assertThat(oneWay("ebpf+wireguard", false, false))
                .as("same-node traffic never crosses WireGuard")
                .isEqualTo(oneWay("ebpf", false, false));
        assertThat(oneWay("ebpf", false, false)).isLessThan(oneWay("node", false, false));
        assertThat(oneWay("node", false, false)).isLessThan(oneWay("sidecar", false, false));
    }
}
