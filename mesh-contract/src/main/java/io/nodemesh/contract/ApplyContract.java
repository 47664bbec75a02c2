package io.nodemesh.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every dataplane promises about {@link MeshDataplane#apply}, with no traffic, so that backends (and compositions
 * of them) that do not carry connections themselves — the node proxy's xDS server, the WireGuard tunnel — are held to
 * it as well as the load balancers are: a change reports exactly the diff, the same state twice changes nothing, an
 * invalid state changes nothing and the previous keeps serving, and the backend's health can be read after each step.
 * <p>
 * The dataplane serves {@link #NODE}; the states hold one more node with a WireGuard key, workloads on both, an L4 and
 * an L7 service, a policy and WireGuard encryption (permissive, so nothing is dropped while peers come and go).
 */
public abstract class ApplyContract {
    /** The node the dataplane under test runs on. */
    public static final String NODE = "node-a";

    /** The other node of the states. */
    public static final String PEER = "node-b";

    private MeshDataplane dataplane;

    /** A freshly opened dataplane for {@link #NODE}; the contract closes it after each test. */
    protected abstract MeshDataplane open();

    @BeforeEach
    final void openDataplane() {
        dataplane = open();
    }

    @AfterEach
    final void closeDataplane() {
        if (dataplane != null) dataplane.close();
    }

    protected final MeshDataplane dataplane() {
        return dataplane;
    }

    @Test
    void theFirstApplyReportsEveryObjectAndTheStateIsWhatWasApplied() {
        MeshState s = mesh(2);
        ApplyResult r = dataplane.apply(s);
        assertThat(r.changes()).containsExactlyInAnyOrderElementsOf(StateDiff.between(MeshState.EMPTY, s));
        assertThat(r.generation()).isPositive();
        assertThat(dataplane.state()).isEqualTo(s);
        assertHealthReadable();
    }

    @Test
    void applyingTheSameStateAgainChangesNothing() {
        MeshState s = mesh(2);
        long generation = dataplane.apply(s).generation();
        ApplyResult again = dataplane.apply(mesh(2));
        assertThat(again.changes()).isEmpty();
        assertThat(again.generation()).isEqualTo(generation);
    }

    @Test
    void aChangeReportsExactlyTheDiffAndAdvancesTheGeneration() {
        MeshState before = mesh(2);
        long generation = dataplane.apply(before).generation();
        MeshState after = withoutEndpoint(mesh(3), "web-2");
        ApplyResult r = dataplane.apply(after);
        assertThat(r.changes()).isNotEmpty().containsExactlyInAnyOrderElementsOf(StateDiff.between(before, after));
        assertThat(r.generation()).isGreaterThan(generation);
        assertThat(dataplane.state()).isEqualTo(after);
        assertHealthReadable();
    }

    @Test
    void anInvalidStateIsRejectedNamingWhereAndThePreviousKeepsServing() {
        MeshState good = mesh(2);
        long generation = dataplane.apply(good).generation();
        MeshState bad = good.toBuilder()
                .workload(workload("stray", NODE, "10.250.0.9")) // outside node-a's pod CIDR
                .build();
        assertThatThrownBy(() -> dataplane.apply(bad))
                .isInstanceOfSatisfying(
                        InvalidStateException.class,
                        e -> assertThat(e.violations()).anySatisfy(v -> {
                            assertThat(v.path()).contains("workloads");
                            assertThat(v.reason()).contains("10.250.0.9");
                        }));
        assertThat(dataplane.state()).isEqualTo(good);
        MeshState next = mesh(3);
        ApplyResult r = dataplane.apply(next);
        assertThat(r.changes())
                .as("the next apply starts from the state that kept serving")
                .containsExactlyInAnyOrderElementsOf(StateDiff.between(good, next));
        assertThat(r.generation()).isGreaterThan(generation);
    }

    @Test
    void theEmptyStateRemovesEverythingAndTheMeshCanComeBack() {
        MeshState s = mesh(3);
        dataplane.apply(s);
        ApplyResult emptied = dataplane.apply(MeshState.EMPTY);
        assertThat(emptied.changes()).containsExactlyInAnyOrderElementsOf(StateDiff.between(s, MeshState.EMPTY));
        assertThat(dataplane.state()).isEqualTo(MeshState.EMPTY);
        assertHealthReadable();
        assertThat(dataplane.apply(s).changes())
                .containsExactlyInAnyOrderElementsOf(StateDiff.between(MeshState.EMPTY, s));
        assertThat(dataplane.state()).isEqualTo(s);
    }

    private void assertHealthReadable() {
        List<BackendHealth> health = dataplane.health();
        assertThat(health).as("one entry per backend").isNotEmpty();
        assertThat(health).allSatisfy(h -> {
            assertThat(h.backend()).isNotBlank();
            assertThat(h.problems())
                    .as("%s with no traffic and no peers up", h.backend())
                    .isEmpty();
        });
    }

    /** The mesh with {@code services} services (1 to 3), each with a VIP and endpoints on both nodes. */
    static MeshState mesh(int services) {
        MeshState.Builder b = MeshState.builder()
                .node(Node.builder(NODE)
                        .address("10.250.1.1")
                        .podCidr("10.244.1.0/24")
                        .build())
                .node(Node.builder(PEER)
                        .address("10.250.1.2")
                        .podCidr("10.244.2.0/24")
                        .wireguardPublicKey(key(2))
                        .build())
                .workload(workload("client", NODE, "10.244.1.20"))
                .workload(workload("web-1", NODE, "10.244.1.10"))
                .workload(workload("web-2", PEER, "10.244.2.10"))
                .policy(Policy.allow("shop", "client-to-web")
                        .from(identity("client"))
                        .to(identity("web-1"), identity("web-2"))
                        .build())
                .encryption(EncryptionSpec.wireguard(EncryptionSpec.Enforcement.PERMISSIVE));
        for (int i = 0; i < services; i++) {
            b.service(Service.builder("shop", "web" + i)
                    .vip("10.96.0." + (10 + i))
                    .tcp(80, 8080)
                    .endpoint(Endpoint.ready("10.244.1.10", "shop/web-1"))
                    .endpoint(Endpoint.ready("10.244.2.10", "shop/web-2"))
                    .build());
        }
        return b.build();
    }

    private static MeshState withoutEndpoint(MeshState s, String workload) {
        MeshState.Builder b = s.toBuilder();
        Service first = s.services().getFirst();
        b.removeService(first.key());
        b.service(first.toBuilder()
                .endpoints(first.endpoints().stream()
                        .filter(e -> !e.workload().equals("shop/" + workload))
                        .toList())
                .build());
        return b.build();
    }

    private static Workload workload(String name, String node, String ip) {
        return Workload.builder("shop", name)
                .node(node)
                .ip(ip)
                .identity(identity(name))
                .label("app", name.replaceAll("-\\d+$", ""))
                .build();
    }

    private static String identity(String name) {
        return "spiffe://cluster.local/ns/shop/sa/" + name;
    }

    /** A well-formed WireGuard public key (any 32 bytes are one). */
    private static String key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) k[i] = (byte) (seed * 31 + i);
        return Base64.getEncoder().encodeToString(k);
    }
}
