package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.WireguardSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerPlanTest {
    static final String KEY_B = WireguardPrivateKey.generate().publicKey().base64();
    static final WireguardSettings A = WireguardSettings.from(DataplaneOptions.forNode("a")
            .with(WireguardSettings.KEEPALIVE, "7")
            .with(WireguardSettings.STRICT_CIDRS, "10.210.0.0/16"));

    static MeshState cluster(boolean strict) {
        return MeshState.builder()
                .node(Node.of("a", "10.211.0.1", "10.210.1.0/24"))
                .node(Node.of("b", "10.211.0.2", "10.210.2.0/24").withWireguardPublicKey(KEY_B))
                .node(Node.of("c", "10.211.0.3", "10.210.3.0/24")) // no key yet
                .encryption(new EncryptionSpec(
                        EncryptionSpec.Mode.WIREGUARD,
                        (strict ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE),
                        ""))
                .build();
    }

    @Test
    void peersAreTheOtherNodesWithKeys() {
        PeerPlan plan = PeerPlan.of(cluster(false), A);
        assertThat(plan.peers()).containsOnlyKeys("b");
        DesiredPeer b = plan.peers().get("b");
        assertThat(b.allowedIps()).containsExactly("10.210.2.0/24");
        assertThat(b.endpoint().getAddress().getHostAddress()).isEqualTo("10.211.0.2");
        assertThat(b.endpoint().getPort()).isEqualTo(51820);
        assertThat(b.keepalive()).isEqualTo(7);
        assertThat(plan.strict()).isFalse();
        assertThat(plan.guardedCidrs()).isEmpty();
    }

    @Test
    void strictGuardsEveryRemotePodCidrKeyedOrNotPlusTheClusterRange() {
        PeerPlan plan = PeerPlan.of(cluster(true), A);
        assertThat(plan.guardedCidrs()).containsExactlyInAnyOrder("10.210.0.0/16", "10.210.2.0/24", "10.210.3.0/24");
        assertThat(plan.localCidrs()).containsExactly("10.210.1.0/24");
    }

    @Test
    void noWireguardMeansNoPeersAndNoGuard() {
        MeshState plain =
                cluster(true).toBuilder().encryption(EncryptionSpec.NONE).build();
        assertThat(PeerPlan.of(plain, A)).isEqualTo(PeerPlan.NONE);
    }

    @Test
    void strictScriptDropsGuardedTrafficNotLeavingThroughTheTunnel() {
        String script =
                StrictModeFirewall.script(List.of("10.210.0.0/16", "fd00:1::/64"), List.of("10.210.1.0/24"), "wg0");
        assertThat(script)
                .startsWith("add table inet nodemesh_wireguard\ndelete table inet nodemesh_wireguard\n")
                .contains("set remote4 { type ipv4_addr; flags interval; auto-merge; elements = { 10.210.0.0/16 }; }")
                .contains("set remote6 { type ipv6_addr; flags interval; auto-merge; elements = { fd00:1::/64 }; }")
                .contains("set local4 { type ipv4_addr; flags interval; auto-merge; elements = { 10.210.1.0/24 }; }")
                .contains("type filter hook output priority 0; policy accept;")
                .contains("type filter hook forward priority 0; policy accept;")
                .contains("ip daddr @remote4 oifname != \"wg0\" jump leak");
    }
}
