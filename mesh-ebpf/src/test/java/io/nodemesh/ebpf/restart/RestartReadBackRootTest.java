package io.nodemesh.ebpf.restart;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.DataplaneFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent restart over pinned maps, counted at the libbpf seam against the real kernel: with the applied-state record
 * matching the maps, the same state writes no entry and a changed state writes exactly the entries that differ; a
 * damaged record or a map changed behind the agent's back makes the first apply rewrite every entry.
 */
@ExtendWith(BpfFdLeakCheck.class)
class RestartReadBackRootTest {
    private static final int SERVICES = 300;

    @TempDir
    Path stateDir;

    private DataplaneFixture fixture;
    private MapWriteCounter counter;

    @BeforeEach
    void setUp() {
        fixture = DataplaneFixture.prepare("restart");
        counter = new MapWriteCounter(fixture.bpf());
    }

    @AfterEach
    void tearDown() {
        if (fixture == null) return;
        try {
            if (Files.exists(fixture.pinRoot())) {
                try (EbpfDataplane dp = open()) {
                    dp.uninstall();
                }
            }
            assertThat(stateDir.resolve(fixture.pinRoot().getRoot().relativize(fixture.pinRoot())))
                    .as("uninstall removes the applied-state record")
                    .doesNotExist();
        } finally {
            fixture.close(this::open);
        }
    }

    @AfterAll
    static void sweep() {
        DataplaneFixture.removePodNetwork(null);
    }

    private EbpfDataplane open() {
        DataplaneOptions options = new DataplaneOptions("n1", Map.of())
                .with("ebpf.pinRoot", fixture.pinRoot().toString())
                .with("ebpf.cgroupRoot", fixture.cgroup().path().toString())
                .with("ebpf.stateDir", stateDir.toString());
        EbpfDataplane dp = EbpfDataplane.open(counter.bpf(), options);
        counter.take(); // opening writes the proxy-cgroup map; only applies are counted
        return dp;
    }

    static MeshState state(int services, int changedPort) {
        var b = MeshState.builder()
                .node(Node.of("n1", "192.168.60.1", "10.60.1.0/24"))
                .node(Node.of("n2", "192.168.60.2", "10.60.2.0/24"));
        for (int i = 0; i < 4; i++) {
            b.workload(Workload.builder("t", "w" + i)
                    .node("n2")
                    .ip("10.60.2." + (10 + i))
                    .identity("spiffe://cluster.local/ns/t/sa/w" + i)
                    .label("app", "w" + (i % 2))
                    .build());
        }
        for (int i = 0; i < services; i++) {
            b.service(Service.builder("t", "s" + i)
                    .vip("10.61." + (i / 250) + "." + (i % 250 + 1))
                    .tcp(80, i == 0 ? changedPort : 8080)
                    .select("app", "w" + (i % 2))
                    .build());
        }
        return b.build();
    }

    @Test
    void aRestartWithTheSameStateWritesNothingAndAChangedOneOnlyTheDifference() throws Exception {
        MeshState state = state(SERVICES, 8080);
        try (EbpfDataplane dp = open()) {
            dp.apply(state);
            assertThat(counter.take()).as("a fresh node writes everything").isGreaterThan(SERVICES);
        } // closing writes the record
        Map<KernelMap, Map<BpfMap.Key, byte[]>> before = contents();

        try (EbpfDataplane dp = open()) {
            dp.apply(state);
            assertThat(counter.take())
                    .as("entries written by a restart over the same state")
                    .isZero();
        }
        assertThat(same(before, contents())).isTrue();

        MeshState changed = state(SERVICES + 1, 9090); // one service's target port, one service more
        try (EbpfDataplane dp = open()) {
            dp.apply(changed);
            long written = counter.take();
            long differing = differing(before, contents());
            assertThat(differing).isPositive();
            assertThat(written).as("entries written = entries that differ").isEqualTo(differing);
        }
    }

    @Test
    void afterARestartThatFoundItsStateAChangeWritesOnlyTheDifference() throws Exception {
        MeshState state = state(SERVICES, 8080);
        try (EbpfDataplane dp = open()) {
            dp.apply(state);
        }
        Map<KernelMap, Map<BpfMap.Key, byte[]>> before = contents();
        MeshState changed = state(SERVICES + 1, 9090);
        try (EbpfDataplane dp = open()) {
            dp.apply(state); // the maps hold it: verified, not planned
            assertThat(counter.take()).isZero();
            dp.apply(changed); // planned against the maps as read back
            long written = counter.take();
            long differing = differing(before, contents());
            assertThat(differing).isPositive();
            assertThat(written).as("entries written = entries that differ").isEqualTo(differing);
            dp.apply(state); // and back, incrementally
            assertThat(counter.take()).isEqualTo(differing);
        }
        assertThat(same(before, contents())).isTrue();
    }

    @Test
    void aDamagedRecordMakesTheFirstApplyRewriteEveryEntry() throws Exception {
        MeshState state = state(SERVICES, 8080);
        try (EbpfDataplane dp = open()) {
            dp.apply(state);
        }
        Path record = recordFile();
        byte[] bytes = Files.readAllBytes(record);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(record, bytes);
        counter.take();

        try (EbpfDataplane dp = open()) {
            dp.apply(state);
            assertThat(counter.take()).as("every entry the state needs").isEqualTo(entries(contents()));
        }
        // and the record it wrote is trusted again
        try (EbpfDataplane dp = open()) {
            dp.apply(state);
            assertThat(counter.take()).isZero();
        }
    }

    @Test
    void aMapChangedBehindTheAgentsBackMakesTheFirstApplyRewriteEveryEntryAndRemoveTheStranger() throws Exception {
        MeshState state = state(SERVICES, 8080);
        try (EbpfDataplane dp = open()) {
            dp.apply(state);
        }
        Map<KernelMap, Map<BpfMap.Key, byte[]>> applied = contents();
        BpfMap.Key stranger;
        try (EbpfDataplane dp = open()) {
            // while no agent runs, someone adds a service entry: the maps no longer match the record's digest
            BpfMap services = dp.installation().map(KernelMap.SERVICES.mapName());
            var any = applied.get(KernelMap.SERVICES).entrySet().iterator().next();
            byte[] key = any.getKey().bytes().clone();
            key[0] ^= 0x01; // another VIP
            stranger = new BpfMap.Key(key);
            services.put(key, any.getValue());
            counter.take();
        }

        try (EbpfDataplane dp = open()) {
            dp.apply(state);
            assertThat(counter.take())
                    .as("every entry rewritten, and the stranger deleted")
                    .isEqualTo(entries(applied) + 1);
        }
        assertThat(contents().get(KernelMap.SERVICES)).doesNotContainKey(stranger);
        assertThat(same(applied, contents())).isTrue();
    }

    private Path recordFile() throws Exception {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(p -> p.getFileName().toString().equals("applied"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no applied-state record under " + stateDir));
        }
    }

    /** Every state-derived map as the kernel holds it, read through a dataplane opened only for this. */
    private Map<KernelMap, Map<BpfMap.Key, byte[]>> contents() {
        Map<KernelMap, Map<BpfMap.Key, byte[]>> out = new HashMap<>();
        try (EbpfDataplane dp = open()) {
            for (KernelMap m : KernelMap.values()) {
                Map<BpfMap.Key, byte[]> entries = new HashMap<>();
                dp.installation().map(m.mapName()).entries().forEach((k, v) -> {
                    if (!allZero(v)) entries.put(k, v);
                });
                out.put(m, entries);
            }
        } // closed unapplied: it writes no record, so the one under test stays as it was
        counter.take();
        return out;
    }

    private static long entries(Map<KernelMap, Map<BpfMap.Key, byte[]>> contents) {
        return contents.values().stream().mapToLong(Map::size).sum();
    }

    private static boolean same(Map<KernelMap, Map<BpfMap.Key, byte[]>> a, Map<KernelMap, Map<BpfMap.Key, byte[]>> b) {
        return differing(a, b) == 0;
    }

    /** Keys added, removed or with another value. */
    private static long differing(
            Map<KernelMap, Map<BpfMap.Key, byte[]>> a, Map<KernelMap, Map<BpfMap.Key, byte[]>> b) {
        long n = 0;
        for (KernelMap m : KernelMap.values()) {
            Set<BpfMap.Key> keys = new HashSet<>(a.get(m).keySet());
            keys.addAll(b.get(m).keySet());
            for (BpfMap.Key k : keys) {
                byte[] x = a.get(m).get(k), y = b.get(m).get(k);
                if (x == null || y == null || !java.util.Arrays.equals(x, y)) n++;
            }
        }
        return n;
    }

    private static boolean allZero(byte[] v) {
        for (byte x : v) if (x != 0) return false;
        return true;
    }
}
