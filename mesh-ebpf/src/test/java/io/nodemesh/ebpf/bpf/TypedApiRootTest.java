package io.nodemesh.ebpf.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.support.TestCgroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The typed API against the running kernel, with mesh-ebpf's own test object (src/test/bpf/core_test.bpf.c). */
@ExtendWith(BpfFdLeakCheck.class)
class TypedApiRootTest {
    private Bpf bpf;

    @BeforeEach
    void setUp() {
        bpf = RootSupport.requireBpf();
    }

    @AfterAll
    static void cleanUp() {
        if (io.nodemesh.contract.Privileges.isRoot()) RootSupport.cleanUp();
    }

    @Test
    void loadsProgramsAndMapsByName() {
        try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
            assertThat(obj.programs()).containsKeys("test_sockops", "test_sk_msg");
            assertThat(obj.program("test_sockops").type()).isEqualTo(Program.TYPE_SOCK_OPS);
            assertThat(obj.program("test_sk_msg").type()).isEqualTo(Program.TYPE_SK_MSG);
            assertThat(obj.program("test_sockops").info().name()).isEqualTo("test_sockops");
            assertThat(obj.map("test_sockhash").type()).isEqualTo(MapType.SOCKHASH);
            assertThat(obj.map("test_sockhash").keySize()).isEqualTo(16);
            assertThat(obj.map("test_events").type()).isEqualTo(MapType.RINGBUF);
            MapInfo info = obj.map("local_ports").info();
            assertThat(info.definition()).isEqualTo(new MapDefinition("local_ports", MapType.HASH, 4, 4, 64));
            assertThatThrownBy(() -> obj.map("nope"))
                    .hasMessageContaining("has no map nope")
                    .hasMessageContaining("local_ports");
        }
    }

    @Test
    void hashMapCrudBatchAndFull() {
        try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
            HashMapView<Integer, Integer> ports = HashMapView.hash(obj.map("local_ports"), Codec.U32, Codec.U32);
            ports.put(80, 1);
            assertThat(ports.get(80)).contains(1);
            ports.put(80, 2, UpdateFlag.EXIST);
            assertThat(ports.get(80)).contains(2);
            assertThatThrownBy(() -> ports.put(80, 3, UpdateFlag.NO_EXIST))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("EEXIST")
                    .hasMessageContaining("local_ports");
            assertThat(ports.remove(80)).isTrue();
            assertThat(ports.remove(80)).isFalse();
            assertThat(ports.get(80)).isEmpty();

            Map<Integer, Integer> many = new LinkedHashMap<>();
            for (int i = 0; i < 64; i++) many.put(1000 + i, i);
            ports.putAll(many); // one BPF_MAP_UPDATE_BATCH
            assertThat(ports.entries()).isEqualTo(many); // BPF_MAP_LOOKUP_BATCH sweeps
            assertThat(ports.keys()).hasSize(64);
            assertThatThrownBy(() -> ports.put(5000, 1))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("E2BIG")
                    .hasMessageContaining("is full");
            assertThat(obj.map("local_ports")
                            .deleteAll(ports.keys().stream()
                                    .map(k -> new BpfMap.Key(Codec.U32.encode(k)))
                                    .toList()))
                    .isEqualTo(64);
            assertThat(ports.entries()).isEmpty();
        }
    }

    @Test
    void lruHashEvictsInsteadOfFailingAndArrayIsBounded() {
        try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
            HashMapView<Long, Long> lru = HashMapView.lruHash(obj.map("test_lru"), Codec.U64, Codec.U64);
            for (long i = 0; i < 1000; i++) lru.put(i, i * 2);
            assertThat(lru.keys().size()).isBetween(1, 128);
            assertThat(lru.get(999L)).contains(1998L);

            ArrayView<Long> counters = ArrayView.of(obj.map("test_counters"), Codec.U64);
            assertThat(counters.length()).isEqualTo(4);
            counters.set(3, 42L);
            assertThat(counters.get(3)).isEqualTo(42L);
            assertThat(counters.get(0)).isZero();
            assertThatThrownBy(() -> counters.set(4, 1L))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("test_counters");
            assertThatThrownBy(() -> HashMapView.hash(obj.map("test_lru"), Codec.U64, Codec.U64))
                    .hasMessageContaining("LRU_HASH, not usable as a hash map");
            assertThatThrownBy(() -> HashMapView.hash(obj.map("local_ports"), Codec.U64, Codec.U32))
                    .hasMessageContaining("4-byte keys");
        }
    }

    @Test
    void verifierRejectionCarriesTheLog() {
        assertThatThrownBy(() -> bpf.load(RootSupport.testObject("rejected")))
                .isInstanceOfSatisfying(VerifierException.class, e -> {
                    assertThat(e.log()).contains("invalid mem access");
                    assertThat(e.getMessage())
                            .contains("verifier rejected")
                            .contains("rejected")
                            .contains("invalid mem access");
                    long lines = e.log().strip().lines().count();
                    if (lines > VerifierException.TAIL_LINES) {
                        assertThat(e.getMessage())
                                .contains("(" + (lines - VerifierException.TAIL_LINES) + " lines omitted)");
                    }
                    assertThat(e.errnoName()).isEqualTo("EACCES");
                    assertThat(e.program()).isEqualTo("rejected_sockops");
                    assertThat(e.getMessage())
                            .startsWith("verifier rejected program rejected_sockops of object rejected");
                });
    }

    @Test
    void corruptOrTruncatedObjectIsAClearError() {
        byte[] elf = RootSupport.testObject("core_test").elf();
        assertThatThrownBy(() -> bpf.load(new ObjectSpec("truncated", Arrays.copyOf(elf, 300))))
                .isInstanceOf(BpfException.class)
                .isNotInstanceOf(VerifierException.class)
                .hasMessageContaining("truncated")
                .hasMessageMatching("(?s).*(E[A-Z0-9]+|LIBBPF_ERRNO__\\w+).*");
        assertThatThrownBy(() -> bpf.load(new ObjectSpec("garbage", "not an object".getBytes())))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("garbage is not an ELF file");
        byte[] flipped = elf.clone();
        for (int i = 64; i < Math.min(flipped.length, 2048); i++) flipped[i] ^= (byte) 0x5a;
        assertThatThrownBy(() -> bpf.load(new ObjectSpec("scrambled", flipped)))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("scrambled");
    }

    @Test
    void pinnedMapsSurviveTheObjectAndAreReusedOnReload() {
        Path dir = RootSupport.pinDir("pins");
        try {
            try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
                obj.pinMaps(dir);
                HashMapView.hash(obj.map("local_ports"), Codec.U32, Codec.U32).put(7, 77);
            }
            assertThat(dir.resolve("local_ports")).exists();
            try (BpfMap pinned = bpf.openPinnedMap(dir.resolve("local_ports"))) {
                assertThat(HashMapView.hash(pinned, Codec.U32, Codec.U32).get(7))
                        .contains(77);
            }
            try (BpfObject again =
                    bpf.load(RootSupport.testObject("core_test"), LoadOptions.DEFAULTS.withPinRoot(dir))) {
                assertThat(again.reusedMaps()).contains("local_ports", "test_sockhash", "test_counters");
                assertThat(HashMapView.hash(again.map("local_ports"), Codec.U32, Codec.U32)
                                .get(7))
                        .contains(77);
            }
        } finally {
            RootSupport.removeTree(dir);
        }
    }

    @Test
    void pinnedMapOfAnotherLayoutIsRefused() throws Exception {
        Path dir = RootSupport.pinDir("mismatch");
        try {
            try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
                obj.map("test_lru").pin(dir.resolve("local_ports")); // an LRU map where a HASH is declared
            }
            assertThatThrownBy(
                            () -> bpf.load(RootSupport.testObject("core_test"), LoadOptions.DEFAULTS.withPinRoot(dir)))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining(dir.resolve("local_ports").toString())
                    .hasMessageContaining("does not match");
        } finally {
            RootSupport.removeTree(dir);
        }
    }

    @Test
    void badPinPathsAreClearErrors() {
        try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
            BpfMap map = obj.map("local_ports");
            assertThatThrownBy(() -> map.pin(Path.of("/tmp", RootSupport.PREFIX + "-pin")))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("/tmp")
                    .hasMessageContaining("not on bpffs");
            Path missing = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("no/such/dir/x");
            assertThatThrownBy(() -> map.pin(missing))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("no/such/dir")
                    .hasMessageContaining("ENOENT");
            assertThat(Files.exists(Path.of("/tmp", RootSupport.PREFIX + "-pin")))
                    .isFalse();
        }
    }

    @Test
    void badCgroupPathIsAClearErrorAndAttachesNothing() {
        try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
            Program sockops = obj.program("test_sockops");
            Path missing = RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve("missing");
            assertThatThrownBy(() -> sockops.attach(new CgroupAttach(missing)))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining(missing.toString())
                    .hasMessageContaining("ENOENT");
            assertThatThrownBy(() -> sockops.attach(new CgroupAttach(Path.of("/tmp"))))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("not a cgroup-v2 directory");
            assertThatThrownBy(() -> obj.program("test_sk_msg").attach(new SkMsgAttach(obj.map("local_ports"))))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("SOCKHASH or SOCKMAP");
        }
    }

    @Test
    void sockopsAndSkMsgRedirectBetweenLocalSocketsAndRingBufferReports() throws Exception {
        try (TestCgroup cgroup = TestCgroup.create("redirect");
                BpfObject obj = bpf.load(RootSupport.testObject("core_test"));
                Bpf.RunStats stats = bpf.enableRunStats()) {
            List<byte[]> events = new CopyOnWriteArrayList<>();
            try (RingBuffer<byte[]> ring = RingBuffer.open(obj.map("test_events"), b -> b, events::add);
                    CgroupLink sockops = obj.program("test_sockops").attach(new CgroupAttach(cgroup.path()));
                    SkMsgLink msg = obj.program("test_sk_msg").attach(new SkMsgAttach(obj.map("test_sockhash")))) {
                SockHashView<byte[]> sockets = SockHashView.of(obj.map("test_sockhash"), Codec.bytes(16));
                ArrayView<Long> counters = ArrayView.of(obj.map("test_counters"), Codec.U64);
                // Listeners too must be made inside the cgroup: an accepted socket belongs to its listener's cgroup.
                cgroup.enter();
                try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                        ServerSocket meshed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    HashMapView.hash(obj.map("local_ports"), Codec.U32, Codec.U32)
                            .put(meshed.getLocalPort(), 1);
                    // A port not listed: sockops runs but records nothing, and nothing is redirected.
                    try (Socket c = new Socket(InetAddress.getLoopbackAddress(), plain.getLocalPort());
                            Socket s = plain.accept()) {
                        exchange(c, s, 10);
                        assertThat(sockets.size()).isZero();
                    }
                    assertThat(counters.get(1)).isZero();
                    try (Socket c = new Socket(InetAddress.getLoopbackAddress(), meshed.getLocalPort());
                            Socket s = meshed.accept()) {
                        exchange(c, s, 100);
                        assertThat(sockets.size())
                                .as("both ends of the open connection are in the sockhash")
                                .isEqualTo(2);
                        assertThat(counters.get(1))
                                .as("messages sk_msg redirected")
                                .isGreaterThanOrEqualTo(200);
                    }
                } finally {
                    cgroup.leave();
                }
                assertThat(sockets.size())
                        .as("closed sockets leave the sockhash")
                        .isZero();
                assertThat(obj.program("test_sockops").info().runCount()).isPositive();
                assertThat(obj.program("test_sk_msg").info().runCount()).isGreaterThanOrEqualTo(200);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (events.size() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).hasSize(16));
                assertThat(ring.dropped()).isZero();
            }
        }
    }

    @Test
    void pinnedLinkKeepsTheProgramAttachedAfterItsHandleCloses() throws Exception {
        Path dir = RootSupport.pinDir("links");
        try (TestCgroup cgroup = TestCgroup.create("pinned-link");
                BpfObject obj = bpf.load(RootSupport.testObject("core_test"))) {
            try (CgroupLink link = obj.program("test_sockops").attach(new CgroupAttach(cgroup.path()))) {
                link.pin(dir.resolve("sockops"));
            }
            ArrayView<Long> counters = ArrayView.of(obj.map("test_counters"), Codec.U64);
            cgroup.enter();
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                HashMapView.hash(obj.map("local_ports"), Codec.U32, Codec.U32).put(server.getLocalPort(), 1);
                connect(server);
                assertThat(counters.get(0))
                        .as("sockops still ran through the pinned link")
                        .isEqualTo(2);
                try (CgroupLink reopened = bpf.openPinnedCgroupLink(dir.resolve("sockops"))) {
                    reopened.detach();
                }
                assertThat(dir.resolve("sockops")).doesNotExist();
                connect(server);
                assertThat(counters.get(0))
                        .as("detached: sockops no longer runs")
                        .isEqualTo(2);
            } finally {
                cgroup.leave();
            }
        } finally {
            RootSupport.removeTree(dir);
        }
    }

    private static void connect(ServerSocket server) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket s = server.accept()) {
            exchange(c, s, 1);
        }
    }

    /** {@code n} 64-byte ping-pongs, checking every byte arrives. */
    static void exchange(Socket client, Socket server, int n) throws Exception {
        OutputStream co = client.getOutputStream();
        InputStream si = server.getInputStream();
        OutputStream so = server.getOutputStream();
        InputStream ci = client.getInputStream();
        byte[] msg = new byte[64];
        for (int i = 0; i < n; i++) {
            Arrays.fill(msg, (byte) i);
            co.write(msg);
            co.flush();
            byte[] got = si.readNBytes(64);
            assertThat(got).isEqualTo(msg);
            so.write(got);
            so.flush();
            assertThat(ci.readNBytes(64)).isEqualTo(msg);
        }
    }
}
