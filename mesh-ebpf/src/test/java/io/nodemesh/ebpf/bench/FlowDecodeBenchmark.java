package io.nodemesh.ebpf.bench;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Flows;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.CgroupAttach;
import io.nodemesh.ebpf.bpf.CgroupLink;
import io.nodemesh.ebpf.bpf.Codec;
import io.nodemesh.ebpf.bpf.LoadOptions;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import io.nodemesh.ebpf.bpf.RingBuffer;
import io.nodemesh.ebpf.internal.plan.Allocations;
import io.nodemesh.ebpf.internal.plan.KernelConfig;
import io.nodemesh.ebpf.internal.plan.MapPlanner;
import io.nodemesh.ebpf.internal.plan.PlacementResolver;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import io.nodemesh.ebpf.support.RootSupport;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Issue 4 §7, flow decoding: events per second turned from {@code struct nm_event} records into {@link FlowEvent}s
 * (goal ≥ 500,000/s with no loss at the driven rate). Not a test; how to run it is in
 * docs/ebpf-benchmarks.md.
 * <p>
 * Part 1 needs no kernel: the dataplane's own decoder ({@code FlowEventDecoder}, reached by reflection as it is
 * package-private) over kernel-format records in memory, against a baseline that reads every field without naming
 * anything. Part 2, as root: the kernel writes the records — {@link FlowBurstProgram} emits them through nodemesh's
 * {@code nm_emit} into the dataplane's pinned {@code nm_events} — at driven rates, and they are read, decoded and
 * delivered by {@link EbpfDataplane#flows()}; lost = the kernel's {@code nm_lost} plus the reader's drops. Its baseline
 * reads the same ring with the same {@link RingBuffer} and no decoding.
 * <p>
 * Arguments: {@code [seconds-per-rate=2] [rates=100000,250000,500000,1000000,0]} (0 = as fast as the driver can).
 */
public final class FlowDecodeBenchmark {
    private static final int BURST = 64;

    public static void main(String[] args) throws Throwable {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        long[] rates = java.util.Arrays.stream(
                        (args.length > 1 ? args[1] : "100000,250000,500000,1000000,0").split(","))
                .mapToLong(Long::parseLong)
                .toArray();
        decoderTable();
        if (!Privileges.isRoot() || Bpf.unavailability().isPresent()) {
            System.out.println("\nkernel part skipped: "
                    + (Privileges.isRoot() ? Bpf.unavailability().orElse("") : "needs root"));
            return;
        }
        kernelTable(seconds, rates);
    }

    // ---- Part 1: decoder only -------------------------------------------------------------------------------------

    private static void decoderTable() throws Throwable {
        MeshState mesh = FlowRecords.mesh();
        Allocations allocations = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE)
                .plan(mesh, FlowRecords.NODE, KernelConfig.DEFAULT, Allocations.NONE)
                .allocations();
        Object decoder = newDecoder(mesh.index(), allocations);
        MethodHandle decode = decodeHandle(decoder);
        List<byte[]> records = FlowRecords.records(1 << 20);
        BenchSamples decoded = new BenchSamples(), raw = new BenchSamples();
        long sink = 0;
        for (int round = -2; round < 5; round++) { // two warm-up rounds
            long t0 = System.nanoTime();
            for (byte[] r : records) sink += ((FlowEvent) decode.invokeExact(r)).bytes();
            long t1 = System.nanoTime();
            for (byte[] r : records) sink += rawParse(r);
            long t2 = System.nanoTime();
            if (round >= 0) {
                decoded.add(t1 - t0);
                raw.add(t2 - t1);
            }
        }
        int n = records.size();
        System.out.printf(
                "Part 1 - decoding %,d kernel-format records in memory, one thread (best of 5 rounds; sink %d)%n",
                n, sink & 1);
        System.out.printf("%-52s %14s%n", "decoder", "events/s");
        System.out.printf("%-52s %,14.0f%n", "baseline: read every field, name nothing", n / (raw.min() / 1e9));
        System.out.printf("%-52s %,14.0f%n", "FlowEventDecoder.decode -> FlowEvent", n / (decoded.min() / 1e9));
    }

    /** What any reader must do at least: every field of the record read once. */
    private static long rawParse(byte[] r) {
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        long h = b.getLong(0) ^ b.getLong(8) ^ b.getLong(16);
        for (int off = 24; off < 72; off += 8) h ^= b.getLong(off);
        return h
                ^ b.getShort(72)
                ^ b.getShort(74)
                ^ b.getShort(76)
                ^ b.get(78)
                ^ b.get(79)
                ^ b.get(80)
                ^ b.get(81)
                ^ b.getInt(84)
                ^ b.getInt(88)
                ^ b.getInt(92);
    }

    private static Object newDecoder(MeshIndex index, Allocations allocations) throws ReflectiveOperationException {
        Class<?> c = Class.forName("io.nodemesh.ebpf.internal.FlowEventDecoder");
        Constructor<?> ctor = c.getDeclaredConstructor(String.class, MeshIndex.class, Allocations.class);
        ctor.setAccessible(true);
        return ctor.newInstance(FlowRecords.NODE, index, allocations);
    }

    private static MethodHandle decodeHandle(Object decoder) throws ReflectiveOperationException {
        var m = decoder.getClass().getDeclaredMethod("decode", byte[].class);
        m.setAccessible(true);
        return MethodHandles.lookup()
                .unreflect(m)
                .bindTo(decoder)
                .asType(MethodType.methodType(FlowEvent.class, byte[].class));
    }

    // ---- Part 2: through the kernel ring buffer --------------------------------------------------------------------

    private static void kernelTable(double seconds, long[] rates) throws Exception {
        RootSupport.requireBpf();
        Path cgroup = RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve("flows");
        Path pins = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("flows");
        Path work = Files.createTempDirectory("nmb-flows");
        Files.createDirectories(cgroup);
        Path original = io.nodemesh.netlab.Cgroups.current(RootSupport.CGROUP2);
        DataplaneOptions options = new DataplaneOptions(
                FlowRecords.NODE, Map.of("ebpf.cgroupRoot", cgroup.toString(), "ebpf.pinRoot", pins.toString()));
        Bpf bpf = Bpf.system();
        Path object = FlowBurstProgram.compile(Path.of(System.getProperty("nodemesh.bpfSources", "bpf")), work);
        List<Row> decodedRows = new java.util.ArrayList<>(), rawRows = new java.util.ArrayList<>();
        EbpfDataplane dp = EbpfDataplane.open(options);
        try (BpfObject burst = bpf.load(ObjectSpec.fromFile(object), LoadOptions.DEFAULTS.withPinRoot(pins));
                CgroupLink link = burst.program(FlowBurstProgram.PROGRAM).attach(new CgroupAttach(cgroup));
                BpfMap lostMap = bpf.openPinnedMap(pins.resolve("nm_lost"))) {
            MeshState mesh = FlowRecords.mesh();
            dp.apply(mesh);
            burst.map("nmb_template")
                    .put(
                            Codec.U32.encode(0),
                            FlowRecords.record(
                                    7,
                                    FlowRecords.podIp(1),
                                    FlowRecords.vip(2),
                                    FlowRecords.podIp(2),
                                    2,
                                    0,
                                    1,
                                    2,
                                    3,
                                    1));
            burst.map("nmb_burst").put(Codec.U32.encode(0), Codec.U32.encode(BURST));
            LongSupplier kernelLost = () -> kernelLost(lostMap);
            write(
                    cgroup.resolve("cgroup.procs"),
                    ProcessHandle.current().pid()); // the driver's getsockopt calls must be seen
            try {
                // decoded: the dataplane's own reader, decoder and fan-out
                AtomicLong delivered = new AtomicLong();
                Flows flows = dp.flows();
                try (var sub = flows.subscribe(e -> delivered.incrementAndGet())) {
                    for (long rate : rates)
                        decodedRows.add(drive(
                                rate,
                                seconds,
                                delivered::get,
                                () -> flows.stats().lost()));
                }
                // baseline: the same ring, the same RingBuffer, records delivered undecoded
                dp.close();
                AtomicLong rawDelivered = new AtomicLong();
                try (BpfMap events = bpf.openPinnedMap(pins.resolve("nm_events"));
                        RingBuffer<byte[]> ring =
                                RingBuffer.open(events, r -> r, r -> rawDelivered.incrementAndGet())) {
                    for (long rate : rates)
                        rawRows.add(
                                drive(rate, seconds, rawDelivered::get, () -> kernelLost.getAsLong() + ring.dropped()));
                }
            } finally {
                write(original.resolve("cgroup.procs"), ProcessHandle.current().pid());
            }
        } finally {
            dp.close();
            EbpfDataplane.open(options).uninstall(); // reattach to what is pinned and remove all of it
            RootSupport.cleanUp();
            try (var files = Files.list(work)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(work);
        }
        System.out.printf(
                "%nPart 2 - kernel ring buffer (nm_events, 4 MiB) -> reader -> consumer; %.1f s per rate, bursts of %d events per getsockopt%n",
                seconds, BURST);
        System.out.printf(
                "%-30s %12s %12s %12s %10s %14s%n", "path", "driven/s", "emitted", "delivered", "lost", "delivered/s");
        for (Row r : rawRows) r.print("baseline: raw records, no decode");
        for (Row r : decodedRows) r.print("EbpfDataplane.flows() decoded");
    }

    record Row(long rate, long emitted, long delivered, long lost, double seconds) {
        void print(String path) {
            System.out.printf(
                    "%-30s %12s %,12d %,12d %,10d %,14.0f%n",
                    path,
                    rate == 0 ? "max" : String.format("%,d", rate),
                    emitted,
                    delivered,
                    lost,
                    delivered / seconds);
        }
    }

    /**
     * Drives {@code rate} events/s (0 = unpaced) for {@code seconds}, then waits until every event is accounted for
     * (delivered or lost) or nothing moves for a second. Delivered/s counts from the first event to the last delivery.
     */
    private static Row drive(long rate, double seconds, LongSupplier delivered, LongSupplier lost) throws Exception {
        long d0 = delivered.getAsLong(), l0 = lost.getAsLong();
        long calls = 0;
        try (DatagramChannel ch = DatagramChannel.open()) {
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            double interval = rate == 0 ? 0 : BURST * 1e9 / rate;
            for (long now = start; now < end; now = System.nanoTime()) {
                if (rate != 0) {
                    long due = start + (long) (calls * interval);
                    if (due > now) {
                        if (due - now > 50_000) LockSupport.parkNanos(due - now - 20_000);
                        continue;
                    }
                }
                ch.getOption(StandardSocketOptions.SO_RCVBUF); // getsockopt(SOL_SOCKET, SO_RCVBUF): one burst
                calls++;
            }
            long emitted = calls * BURST;
            long last = d0, lastChange = System.nanoTime(), lastDelivery = System.nanoTime();
            while (true) {
                long d = delivered.getAsLong();
                if (d != last) {
                    last = d;
                    lastChange = lastDelivery = System.nanoTime();
                }
                if (d - d0 + lost.getAsLong() - l0 >= emitted || System.nanoTime() - lastChange > 1_000_000_000L) break;
                Thread.sleep(5);
            }
            return new Row(rate, emitted, last - d0, lost.getAsLong() - l0, (lastDelivery - start) / 1e9);
        }
    }

    private static long kernelLost(BpfMap lost) {
        return lost.lookupPerCpu(Codec.U32.encode(0))
                .map(vs -> vs.stream()
                        .mapToLong(v -> ByteBuffer.wrap(v)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .getLong())
                        .sum())
                .orElse(0L);
    }

    private static void write(Path file, long pid) throws java.io.IOException {
        Files.writeString(file, Long.toString(pid));
    }
}
