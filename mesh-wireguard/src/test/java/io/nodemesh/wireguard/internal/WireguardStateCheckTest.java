package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Violation;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import java.util.List;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WireguardStateCheckTest {
    static final WireguardKey OWN = WireguardPrivateKey.generate().publicKey();

    static List<Violation> check(MeshState s, String unreachable) {
        return WireguardStateCheck.check(
                s,
                PeerPlanTest.A,
                OWN,
                n -> true,
                a -> a.equals(unreachable) ? "no route (Network is unreachable)" : null,
                true);
    }

    static MeshState withB(UnaryOperator<Node> change) {
        MeshState s = PeerPlanTest.cluster(true);
        return new MeshState(
                s.nodes().stream()
                        .map(n -> n.name().equals("b") ? change.apply(n) : n)
                        .toList(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                s.encryption());
    }

    @Test
    void aGoodStatePasses() {
        assertThat(check(PeerPlanTest.cluster(true), "")).isEmpty();
    }

    @Test
    void eachBadInputNamesThePeerAndTheField() {
        assertThat(check(withB(n -> n.withWireguardPublicKey("xyz")), ""))
                .extracting(Violation::path)
                .containsExactly("nodes[b].wireguardPublicKey");
        assertThat(check(withB(n -> n.withWireguardPublicKey("A".repeat(43) + "=")), ""))
                .singleElement()
                .satisfies(v -> assertThat(v.toString())
                        .isEqualTo(
                                "nodes[b].wireguardPublicKey: the all-zero key is not a usable WireGuard public key"));
        assertThat(check(withB(n -> n.withWireguardPublicKey(OWN.base64())), ""))
                .extracting(Violation::path)
                .containsExactly("nodes[b].wireguardPublicKey");
        assertThat(check(
                        withB(n -> new Node("b", n.addresses(), List.of("10.210.3.0/25"), n.wireguardPublicKey())), ""))
                .extracting(Violation::toString)
                .containsExactly("nodes[c].podCidrs[0]: 10.210.3.0/24 overlaps the pod CIDR of node b");
        assertThat(check(withB(n -> new Node("b", List.of(), n.podCidrs(), n.wireguardPublicKey())), ""))
                .extracting(Violation::toString)
                .containsExactly("nodes[b].addresses: a WireGuard peer needs an underlay address for its endpoint");
        assertThat(check(PeerPlanTest.cluster(true), "10.211.0.2"))
                .extracting(Violation::toString)
                .containsExactly(
                        "nodes[b].addresses[0]: 10.211.0.2 is unreachable from node a: no route (Network is unreachable)");
    }

    @Test
    void twoPeersWithOneKeyAreRejected() {
        MeshState s = PeerPlanTest.cluster(false);
        MeshState dup = new MeshState(
                s.nodes().stream()
                        .map(n -> n.name().equals("c") ? n.withWireguardPublicKey(PeerPlanTest.KEY_B) : n)
                        .toList(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                s.encryption());
        assertThat(check(dup, "")).extracting(Violation::path).containsExactly("nodes[c].wireguardPublicKey");
    }

    @Test
    void strictModeWithoutNftIsAViolation() {
        var v = WireguardStateCheck.check(PeerPlanTest.cluster(true), PeerPlanTest.A, OWN, n -> true, a -> null, false);
        assertThat(v).extracting(Violation::path).containsExactly("encryption.strict");
    }

    @Property(tries = 100)
    void overlappingPodCidrsBetweenPeersAreAlwaysRejected(
            @ForAll @IntRange(min = 0, max = 255) int third, @ForAll @IntRange(min = 16, max = 30) int prefix) {
        // node c's CIDR inside node b's range: the allowed IPs of two peers would overlap.
        String b = "10.220.0.0/16";
        String c = "10.220." + third + ".0/" + Math.max(prefix, 24);
        MeshState s = withB(n -> new Node("b", n.addresses(), List.of(b), n.wireguardPublicKey()));
        MeshState overlapping = new MeshState(
                s.nodes().stream()
                        .map(n -> n.name().equals("c")
                                ? new Node(
                                        "c",
                                        n.addresses(),
                                        List.of(c),
                                        WireguardPrivateKey.generate()
                                                .publicKey()
                                                .base64())
                                : n)
                        .toList(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                s.encryption());
        assertThat(check(withB(n -> new Node("b", n.addresses(), List.of(b), n.wireguardPublicKey())), ""))
                .isEmpty();
        assertThat(check(overlapping, "")).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("nodes[c].podCidrs[0]");
            assertThat(v.reason()).contains("overlaps the pod CIDR of node b");
        });
    }
}
