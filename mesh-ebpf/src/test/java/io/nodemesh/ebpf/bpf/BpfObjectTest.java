package io.nodemesh.ebpf.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.ebpf.fake.FakeLibbpf;
import io.nodemesh.ebpf.fake.FakeLibbpf.MapDef;
import io.nodemesh.ebpf.fake.FakeLibbpf.ObjectDef;
import io.nodemesh.ebpf.fake.FakeLibbpf.ProgramDef;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed API's logic over the fake libbpf: no root, no kernel. */
class BpfObjectTest {
    static final byte[] ELF = {0x7f, 'E', 'L', 'F', 2, 1, 1};

    @TempDir
    Path tmp;

    FakeLibbpf fake;
    Bpf bpf;
    Path bpffs;

    @BeforeEach
    void setUp() throws Exception {
        bpffs = Files.createDirectories(tmp.resolve("bpffs"));
        fake = new FakeLibbpf(bpffs, Files.createDirectories(tmp.resolve("cgroup")));
        fake.define(
                "obj",
                new ObjectDef(
                        List.of(new ProgramDef("prog", "sockops", Program.TYPE_SOCK_OPS)),
                        List.of(
                                new MapDef(new MapDefinition("ports", MapType.HASH, 4, 4, 8), false),
                                new MapDef(new MapDefinition("events", MapType.RINGBUF, 0, 0, 4096), false),
                                new MapDef(new MapDefinition("counters", MapType.ARRAY, 4, 8, 2), false))));
        bpf = BpfSeam.over(fake);
    }

    @Test
    void programsAndMapsByNameWithHelpfulMisses() {
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            assertThat(obj.program("prog").type()).isEqualTo(Program.TYPE_SOCK_OPS);
            assertThat(obj.map("ports").definition()).isEqualTo(new MapDefinition("ports", MapType.HASH, 4, 4, 8));
            assertThatThrownBy(() -> obj.program("nope"))
                    .hasMessageContaining("object obj has no program nope")
                    .hasMessageContaining("prog");
        }
        assertThat(fake.openFds()).isZero();
    }

    @Test
    void notAnElfFileIsRefusedBeforeLibbpf() {
        assertThatThrownBy(() -> bpf.load(new ObjectSpec("obj", new byte[] {1, 2, 3})))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("obj is not an ELF file (3 bytes");
    }

    @Test
    void verifierRejectionKeepsTheWholeLogAndShowsTheTail() {
        String log = IntStream.rangeClosed(1, 20).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));
        fake.rejectLoadOf("obj", log);
        assertThatThrownBy(() -> bpf.load(new ObjectSpec("obj", ELF)))
                .isInstanceOfSatisfying(VerifierException.class, e -> {
                    assertThat(e.log()).isEqualTo(log);
                    assertThat(e.getMessage())
                            .contains("(12 lines omitted)")
                            .contains("line 13")
                            .contains("line 20")
                            .doesNotContain("line 12\n")
                            .contains("EACCES");
                    assertThat(e.errno()).isEqualTo(Errno.EACCES);
                });
        assertThat(fake.openFds()).as("a failed load closes the object").isZero();
    }

    @Test
    void hashViewRoundTripsAndBatchesAndReportsFull() {
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            HashMapView<Integer, Integer> ports = HashMapView.hash(obj.map("ports"), Codec.U32, Codec.U32);
            Map<Integer, Integer> all = new LinkedHashMap<>();
            for (int i = 0; i < 8; i++) all.put(i, i * 10);
            ports.putAll(all);
            assertThat(ports.entries()).isEqualTo(all);
            assertThatThrownBy(() -> ports.put(99, 1))
                    .hasMessageContaining("E2BIG")
                    .hasMessageContaining("map ports is full (max_entries 8)");
            assertThat(ports.remove(3)).isTrue();
            assertThat(ports.get(3)).isEmpty();
            assertThat(obj.map("ports")
                            .deleteAll(List.of(
                                    new BpfMap.Key(Codec.U32.encode(1)),
                                    new BpfMap.Key(Codec.U32.encode(3)),
                                    new BpfMap.Key(Codec.U32.encode(2)))))
                    .as("a missing key in the middle does not stop the rest")
                    .isEqualTo(2);
            assertThat(ports.keys()).containsExactlyInAnyOrder(0, 4, 5, 6, 7);
        }
    }

    @Test
    void pinsAreReusedWhenTheLayoutMatchesAndRefusedWhenNot() throws Exception {
        Path dir = Files.createDirectories(bpffs.resolve("pins"));
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            obj.pinMaps(dir);
            HashMapView.hash(obj.map("ports"), Codec.U32, Codec.U32).put(1, 2);
        }
        try (BpfObject again = bpf.load(new ObjectSpec("obj", ELF), LoadOptions.DEFAULTS.withPinRoot(dir))) {
            assertThat(again.reusedMaps()).containsExactlyInAnyOrder("ports", "events", "counters");
            assertThat(HashMapView.hash(again.map("ports"), Codec.U32, Codec.U32)
                            .get(1))
                    .contains(2);
        }
        fake.define(
                "obj",
                new ObjectDef(
                        List.of(), List.of(new MapDef(new MapDefinition("ports", MapType.HASH, 4, 8, 8), false))));
        assertThatThrownBy(() -> bpf.load(new ObjectSpec("obj", ELF), LoadOptions.DEFAULTS.withPinRoot(dir)))
                .hasMessageContaining(dir.resolve("ports") + " does not match object obj")
                .hasMessageContaining("pinned HASH key 4B value 4B")
                .hasMessageContaining("declared HASH key 4B value 8B");
    }

    @Test
    void pinOutsideBpffsOrIntoAMissingDirectoryIsAClearError() {
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            assertThatThrownBy(() -> obj.map("ports").pin(tmp.resolve("x")))
                    .hasMessageContaining("pin directory " + tmp + " is not on bpffs");
            assertThatThrownBy(() -> obj.map("ports").pin(bpffs.resolve("missing/x")))
                    .hasMessageContaining("missing")
                    .hasMessageContaining("ENOENT");
        }
    }

    @Test
    void cgroupAttachChecksThePathFirst() {
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            assertThatThrownBy(() -> obj.program("prog").attach(new CgroupAttach(tmp.resolve("cgroup/none"))))
                    .hasMessageContaining("cgroup/none")
                    .hasMessageContaining("ENOENT");
            assertThatThrownBy(() -> obj.program("prog").attach(new CgroupAttach(tmp)))
                    .hasMessageContaining("not a cgroup-v2 directory");
            assertThat(fake.cgroupAttachments).isEmpty();
        }
    }

    @Test
    void arrayViewIsBoundedAndZeroInitialised() {
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            ArrayView<Long> counters = ArrayView.of(obj.map("counters"), Codec.U64);
            assertThat(counters.get(1)).isZero();
            counters.set(1, 5L);
            assertThat(counters.get(1)).isEqualTo(5L);
            assertThatThrownBy(() -> counters.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> SockHashView.of(obj.map("counters"), Codec.U32))
                    .hasMessageContaining("not usable as a sock hash");
        }
    }

    @Test
    void ringBufferDeliversInOrderAndCountsWhatItCouldNotDeliver() throws Exception {
        try (BpfObject obj = bpf.load(new ObjectSpec("obj", ELF))) {
            List<Integer> got = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (RingBuffer<Integer> ring = RingBuffer.open(
                    obj.map("events"),
                    b -> {
                        if (b[0] == 13) throw new IllegalArgumentException("undecodable");
                        return (int) b[0];
                    },
                    got::add)) {
                for (int i = 0; i < 20; i++) fake.emit("events", new byte[] {(byte) i});
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (ring.delivered() + ring.dropped() < 20 && System.nanoTime() < deadline) Thread.sleep(5);
                assertThat(ring.dropped()).isEqualTo(1);
                assertThat(ring.delivered()).isEqualTo(19);
            }
            assertThat(got)
                    .containsExactlyElementsOf(
                            IntStream.range(0, 20).filter(i -> i != 13).boxed().toList());
            assertThatThrownBy(() -> RingBuffer.open(obj.map("ports"), b -> b, b -> {}))
                    .hasMessageContaining("HASH, not usable as a ring buffer");
        }
    }

    @Test
    void errnoNamesAndPossibleCpus() {
        assertThat(Errno.name(2)).isEqualTo("ENOENT");
        assertThat(Errno.name(-13)).isEqualTo("EACCES");
        assertThat(Errno.name(4007)).isEqualTo("LIBBPF_ERRNO__VERIFY");
        assertThat(Errno.name(9999)).isEqualTo("errno 9999");
        assertThat(new BpfException("pin map x at /y", 2).getMessage())
                .isEqualTo("pin map x at /y: ENOENT (no such file, map entry or object)");
        assertThat(PossibleCpus.parse("0-3\n")).isEqualTo(4);
        assertThat(PossibleCpus.parse("0")).isEqualTo(1);
        assertThat(PossibleCpus.parse("0-1,4-7")).isEqualTo(8);
    }
}
