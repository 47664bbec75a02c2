package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.WireguardSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Generated clusters: what a node's plan holds, whatever the cluster looks like. */
class PeerPlanPropertiesTest {
    private static final List<String> KEYS = java.util.stream.IntStream.range(0, 8)
            .mapToObj(i -> WireguardPrivateKey.generate().publicKey().base64())
            .toList();

    /** Node i has pod CIDR 10.210.i.0/24 and, when keyed[i], key i; node 0 is "this node". */
    @Provide
    Arbitrary<List<Boolean>> keyed() {
        return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(8);
    }

    static MeshState cluster(List<Boolean> keyed, boolean strict) {
        var b = MeshState.builder()
                .encryption(new EncryptionSpec(
                        EncryptionSpec.Mode.WIREGUARD,
                        (strict ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE),
                        ""));
        for (int i = 0; i < keyed.size(); i++) {
            Node n = Node.of("n" + i, "10.211.0." + (i + 1), "10.210." + i + ".0/24");
            b.node(keyed.get(i) ? n.withWireguardPublicKey(KEYS.get(i)) : n);
        }
        return b.build();
    }

    static final WireguardSettings SELF = WireguardSettings.from(DataplaneOptions.forNode("n0"));

    @Property(tries = 200)
    void peersAreExactlyTheOtherKeyedNodesWithTheirPodCidrs(
            @ForAll("keyed") List<Boolean> keyed, @ForAll boolean strict) {
        MeshState s = cluster(keyed, strict);
        assertThat(s.validate()).isEmpty();
        PeerPlan plan = PeerPlan.of(s, SELF);
        Set<String> expected = new HashSet<>();
        for (int i = 1; i < keyed.size(); i++) if (keyed.get(i)) expected.add("n" + i);
        assertThat(plan.peers().keySet()).isEqualTo(expected);
        plan.peers().values().forEach(p -> {
            int i = Integer.parseInt(p.node().substring(1));
            assertThat(p.allowedIps()).containsExactly("10.210." + i + ".0/24");
            assertThat(p.key().base64()).isEqualTo(KEYS.get(i));
            assertThat(p.endpoint().getAddress().getHostAddress()).isEqualTo("10.211.0." + (i + 1));
        });
    }

    @Property(tries = 200)
    void strictGuardsEveryRemoteCidrAndNeverTheLocalOne(@ForAll("keyed") List<Boolean> keyed) {
        PeerPlan plan = PeerPlan.of(cluster(keyed, true), SELF);
        List<String> remote = new ArrayList<>();
        for (int i = 1; i < keyed.size(); i++) remote.add("10.210." + i + ".0/24");
        assertThat(plan.guardedCidrs()).containsExactlyInAnyOrderElementsOf(remote);
        assertThat(plan.localCidrs()).containsExactly("10.210.0.0/24");
        assertThat(plan.guardedCidrs()).doesNotContain("10.210.0.0/24");
    }

    @Property(tries = 100)
    void aPlanChangesOnlyForThePeerThatChanged(@ForAll("keyed") List<Boolean> keyed, @ForAll int pick) {
        // Changing one node's CIDR changes that peer's desired form and no other: what keeps the others from flapping.
        MeshState before = cluster(keyed, false);
        int target = Math.floorMod(pick, keyed.size());
        MeshState after = new MeshState(
                before.nodes().stream()
                        .map(n -> n.name().equals("n" + target)
                                ? new Node(
                                        n.name(),
                                        n.addresses(),
                                        List.of(n.podCidrs().getFirst(), "10.220." + target + ".0/24"),
                                        n.wireguardPublicKey())
                                : n)
                        .toList(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                before.encryption());
        PeerPlan a = PeerPlan.of(before, SELF);
        PeerPlan b = PeerPlan.of(after, SELF);
        for (String name : a.peers().keySet()) {
            if (name.equals("n" + target))
                assertThat(b.peers().get(name)).isNotEqualTo(a.peers().get(name));
            else assertThat(b.peers().get(name)).isEqualTo(a.peers().get(name));
        }
    }
}
