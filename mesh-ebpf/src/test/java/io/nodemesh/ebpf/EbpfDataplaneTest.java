package io.nodemesh.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.fake.FakeLibbpf;
import io.nodemesh.ebpf.fake.FakeNodemeshObjects;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataplane's install, apply, rollback, restart and uninstall logic over the fake libbpf (no root). */
class EbpfDataplaneTest {
    static final List<String> CGROUP_PROGRAMS = List.of(
            "nm_connect4",
            "nm_connect6",
            "nm_sendmsg4",
            "nm_sendmsg6",
            "nm_recvmsg4",
            "nm_recvmsg6",
            "nm_getpeername4",
            "nm_getpeername6",
            "nm_sockops",
            "nm_steer_ops",
            "nm_orig_dst_get");

    @TempDir
    Path tmp;

    FakeLibbpf fake;
    Bpf bpf;
    Path pinRoot;
    Path cgroupRoot;
    DataplaneOptions options;

    @BeforeEach
    void setUp() throws Exception {
        Path bpffs = Files.createDirectories(tmp.resolve("bpffs"));
        cgroupRoot = Files.createDirectories(tmp.resolve("cgroup"));
        fake = FakeNodemeshObjects.define(new FakeLibbpf(bpffs, cgroupRoot));
        bpf = BpfSeam.over(fake);
        pinRoot = bpffs.resolve("nodemesh");
        options = new DataplaneOptions("n1", Map.of())
                .with("ebpf.pinRoot", pinRoot.toString())
                .with("ebpf.cgroupRoot", cgroupRoot.toString())
                .with("ebpf.stateDir", tmp.resolve("state").toString());
    }

    static MeshState state(int workloads, Policy... policies) {
        var b = MeshState.builder().node(Node.of("n1", "192.168.50.1", "10.200.0.0/24"));
        for (int i = 1; i <= workloads; i++) {
            b.workload(new Workload(
                    "t",
                    "w" + i,
                    "n1",
                    List.of("10.200.0." + i),
                    "spiffe://cluster.local/ns/t/sa/w" + i,
                    Map.of(),
                    Placement.NONE));
        }
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    static Policy deny(String from, String to) {
        return new Policy("t", "deny", PolicyAction.DENY, List.of(from), List.of(to), List.of(), List.of(), List.of());
    }

    Map<String, String> contents(String map) {
        Map<String, String> out = new TreeMap<>();
        fake.contents(map).forEach((k, v) -> out.put(k, HexFormat.of().formatHex(v)));
        return out;
    }

    @Test
    void installAttachesEveryProgramOnceAndPinsMapsAndLinks() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            assertThat(fake.cgroupAttachments.get(cgroupRoot.toString()))
                    .containsExactlyInAnyOrderElementsOf(CGROUP_PROGRAMS);
            assertThat(fake.sockMapAttachments).containsEntry("nm_sockhash", "nm_msg");
            assertThat(pinRoot.resolve("nm_sockhash")).exists();
            assertThat(pinRoot.resolve("links/nm_sockops")).exists();
            assertThat(dp.installation().reattached()).isFalse();
        }
        assertThat(fake.cgroupAttachments.get(cgroupRoot.toString()))
                .as("close leaves the pinned links attached")
                .containsExactlyInAnyOrderElementsOf(CGROUP_PROGRAMS);
    }

    @Test
    void withAProxyCgroupTheGetsockoptHookGoesThereAndTheCgroupIsWrittenForTheConnectHooks() throws Exception {
        Path proxy = Files.createDirectories(cgroupRoot.resolve("envoy"));
        Files.createFile(proxy.resolve("cgroup.procs"));
        long id = ((Number) Files.getAttribute(proxy, "unix:ino")).longValue();
        String key = HexFormat.of()
                .formatHex(java.nio.ByteBuffer.allocate(8)
                        .order(java.nio.ByteOrder.nativeOrder())
                        .putLong(id)
                        .array());
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options.with("ebpf.proxyCgroup", proxy.toString()))) {
            assertThat(fake.cgroupAttachments.get(proxy.toString())).containsExactly("nm_orig_dst_get");
            assertThat(fake.cgroupAttachments.get(cgroupRoot.toString()))
                    .doesNotContain("nm_orig_dst_get")
                    .contains("nm_steer_ops", "nm_sockops", "nm_connect4");
            assertThat(contents("nm_proxy_cgroups")).containsExactly(Map.entry(key, "01000000"));
        }
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            assertThat(contents("nm_proxy_cgroups"))
                    .as("a restart without the setting clears it")
                    .isEmpty();
        }
    }

    @Test
    void applyWritesTheIdentitiesAndConfigLast() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            var result = dp.apply(state(2));
            assertThat(result.changes()).hasSize(3);
            assertThat(contents("nm_ip_identity")).hasSize(2);
            assertThat(contents("nm_config").values()).noneMatch(v -> v.matches("0+"));
            assertThat(dp.apply(state(2)).unchanged()).isTrue();
        }
    }

    @Test
    void aFailedApplyRollsBackAndThePreviousStateKeepsServing() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            dp.apply(state(2));
            Map<String, String> identities = contents("nm_ip_identity");
            Map<String, String> config = contents("nm_config");
            fake.failUpdatesOf("nm_policy", 1);
            MeshState next = state(3, deny("spiffe://cluster.local/ns/t/sa/w1", "spiffe://cluster.local/ns/t/sa/w2"));
            assertThatThrownBy(() -> dp.apply(next))
                    .isInstanceOf(ApplyException.class)
                    .hasMessageContaining("nm_policy")
                    .hasMessageContaining("rolled back");
            assertThat(contents("nm_ip_identity"))
                    .as("the new identity written before the failure is gone again")
                    .isEqualTo(identities);
            assertThat(contents("nm_policy")).isEmpty();
            assertThat(contents("nm_config")).isEqualTo(config);
            assertThat(dp.state()).isEqualTo(state(2));
            dp.apply(next);
            assertThat(contents("nm_ip_identity")).hasSize(3);
            assertThat(contents("nm_policy")).isNotEmpty();
        }
    }

    @Test
    void anInvalidStateNeverReachesTheMaps() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            dp.apply(state(1));
            Map<String, String> before = contents("nm_ip_identity");
            MeshState bad = state(1).toBuilder()
                    .workload(new Workload(
                            "t", "x", "nowhere", List.of("10.200.0.9"), "bad id", Map.of(), Placement.NONE))
                    .build();
            assertThatThrownBy(() -> dp.apply(bad)).isInstanceOf(InvalidStateException.class);
            assertThat(contents("nm_ip_identity")).isEqualTo(before);
        }
    }

    @Test
    void aRestartedAgentReattachesAndStartsFromWhatTheMapsHold() {
        try (EbpfDataplane first = EbpfDataplane.open(bpf, options)) {
            first.apply(state(3));
        }
        try (EbpfDataplane second = EbpfDataplane.open(bpf, options)) {
            assertThat(second.installation().reattached()).isTrue();
            assertThat(fake.cgroupAttachments.get(cgroupRoot.toString()))
                    .as("no second attachment")
                    .containsExactlyInAnyOrderElementsOf(CGROUP_PROGRAMS);
            second.apply(state(2));
            assertThat(contents("nm_ip_identity"))
                    .as("the workload the old agent programmed and the new state lacks is removed")
                    .hasSize(2);
        }
    }

    @Test
    void aFailedInstallLeavesNothingAttachedOrPinned() {
        fake.failAttachOf("nm_getpeername4");
        assertThatThrownBy(() -> EbpfDataplane.open(bpf, options))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("nm_getpeername4");
        assertThat(fake.cgroupAttachments.getOrDefault(cgroupRoot.toString(), List.of()))
                .isEmpty();
        assertThat(fake.sockMapAttachments).isEmpty();
        assertThat(pinRoot).doesNotExist();
        assertThat(fake.openFds()).isZero();
    }

    @Test
    void limitsAboveTheCompiledSizesGrowTheMapsAtLoadAndDefaultsKeepTheCompiledSizes() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            assertThat(dp.installation().map("nm_rr").info().maxEntries()).isEqualTo(20_001);
            assertThat(dp.installation().map("nm_backends").info().maxEntries()).isEqualTo(262_144);
            dp.uninstall();
        }
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, fiftyThousand())) {
            assertThat(dp.installation().map("nm_rr").info().maxEntries()).isEqualTo(100_001);
            assertThat(dp.installation().map("nm_backends").info().maxEntries()).isEqualTo(500_000);
            assertThat(dp.installation().map("nm_services").info().maxEntries())
                    .as("a limit below the compiled size keeps the compiled size")
                    .isEqualTo(65_536);
        }
    }

    DataplaneOptions fiftyThousand() {
        return options.with("ebpf.maxServices", "50000").with("ebpf.maxBackends", "500000");
    }

    @Test
    void aPinnedMapSmallerThanTheLimitsIsRefusedNamingBothSizesAndTheOldInstallationKeepsServing() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            dp.apply(state(2));
        }
        Map<String, String> before = contents("nm_ip_identity");
        int pinnedFds = fake.openFds(); // the fake's pins hold fds
        assertThatThrownBy(() -> EbpfDataplane.open(bpf, options.with("ebpf.maxServices", "50000")))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("pinned map " + pinRoot.resolve("nm_rr") + " holds 20001 entries, 100001 wanted");
        assertThat(fake.cgroupAttachments.get(cgroupRoot.toString()))
                .as("the earlier agent's programs stay attached")
                .containsExactlyInAnyOrderElementsOf(CGROUP_PROGRAMS);
        assertThat(contents("nm_ip_identity")).isEqualTo(before);
        assertThat(fake.openFds())
                .as("nothing of the refused open is left open")
                .isEqualTo(pinnedFds);
    }

    @Test
    void aPinnedMapLargerThanTheLimitsIsReusedWithItsEntries() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, fiftyThousand())) {
            dp.apply(state(2));
        }
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            assertThat(dp.installation().reattached()).isTrue();
            assertThat(dp.installation().map("nm_rr").info().maxEntries()).isEqualTo(100_001);
            assertThat(dp.installation().map("nm_rr").definition().maxEntries()).isEqualTo(100_001);
            assertThat(contents("nm_ip_identity")).hasSize(2);
        }
    }

    @Test
    void aMissingCgroupIsReportedBeforeAnythingIsLoaded() {
        Path missing = cgroupRoot.resolve("nope");
        assertThatThrownBy(() -> EbpfDataplane.open(bpf, options.with("ebpf.cgroupRoot", missing.toString())))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("ENOENT");
        assertThat(pinRoot).doesNotExist();
    }

    @Test
    void uninstallDetachesEverythingAndRemovesThePins() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            dp.apply(state(1));
            dp.uninstall();
        }
        assertThat(fake.cgroupAttachments.get(cgroupRoot.toString())).isEmpty();
        assertThat(fake.sockMapAttachments).isEmpty();
        assertThat(pinRoot).doesNotExist();
        assertThat(fake.openFds()).isZero();
    }

    @Test
    void pinnedMapsOfAnotherLayoutVersionAreRefused() {
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            dp.apply(state(1));
        }
        try (BpfMap config = bpf.openPinnedMap(pinRoot.resolve("nm_config"))) {
            byte[] v = config.lookup(new byte[4]).orElseThrow();
            v[0] = 7;
            config.put(new byte[4], v);
        }
        assertThatThrownBy(() -> EbpfDataplane.open(bpf, options))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("layout version 7");
        assertThat(fake.cgroupAttachments.get(cgroupRoot.toString()))
                .as("the running installation is untouched")
                .containsExactlyInAnyOrderElementsOf(CGROUP_PROGRAMS);
    }
}
