package io.nodemesh.kubernetes.bench;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.kubernetes.BenchCluster;
import io.nodemesh.kubernetes.FeedListener;
import io.nodemesh.kubernetes.FeedOptions;
import io.nodemesh.kubernetes.KubernetesFeed;
import io.nodemesh.kubernetes.ManagedFields;
import io.nodemesh.kubernetes.internal.FeedLoop;
import io.nodemesh.kubernetes.internal.FullRebuild;
import io.nodemesh.sim.SimulatedDataplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The feed at scale, against fabric8's mock API server: N services with M endpoints each (default 10,000 × 10).
 * Measures (1) informer sync to the first applied MeshState, (2) one EndpointSlice change to its apply, against two
 * baselines measured in the same run: the bare watch delivery of that change (the floor) and a full translation of the
 * cluster (what a non-incremental feed would pay per change); (3) the heap held by the agent's caches. Each backend
 * named in the fourth argument (default {@code lean-full,lean,sim}) gets its own feed over the same cluster, so the
 * old whole-state validation and the simulator are measured in the same run.
 * Not a test: run it with
 * <pre>mvn -pl mesh-kubernetes test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.nodemesh.kubernetes.bench.FeedBenchmark -Dexec.args="10000 10 20"</pre>
 */
public final class FeedBenchmark {
    private FeedBenchmark() {}

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perService = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int changes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        List<String> backends = List.of((args.length > 3 ? args[3] : "lean-full,lean,sim").split(","));
        System.out.printf(
                Locale.ROOT,
                "nodemesh feed benchmark: %,d services x %,d endpoints = %,d endpoints, %d slice changes per backend %s%n",
                services,
                perService,
                services * perService,
                changes,
                backends);

        try (BenchCluster cluster = new BenchCluster()) {
            KubernetesClient client = cluster.client();
            int[] overhead = new int[2];
            long t = System.nanoTime();
            cluster.nodes(3);
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<?>> work = new ArrayList<>();
                for (int s = 0; s < services; s++) {
                    int i = s;
                    work.add(pool.submit(() -> {
                        client.services()
                                .inNamespace("bench")
                                .resource(service(i))
                                .create();
                        client.discovery()
                                .v1()
                                .endpointSlices()
                                .inNamespace("bench")
                                .resource(slice(i, perService, 0))
                                .create();
                        if (i == 0) {
                            overhead[0] = ManagedFields.overheadBytes(client.services()
                                    .inNamespace("bench")
                                    .withName("svc-0")
                                    .get());
                            overhead[1] = ManagedFields.overheadBytes(client.discovery()
                                    .v1()
                                    .endpointSlices()
                                    .inNamespace("bench")
                                    .withName("svc-0-abcde")
                                    .get());
                        }
                    }));
                }
                for (Future<?> f : work) f.get();
            }
            System.out.printf(
                    Locale.ROOT,
                    "created in the mock API server in %.1f s; managedFields + last-applied annotation: "
                            + "%,d bytes per service, %,d bytes per slice (JSON)%n",
                    (System.nanoTime() - t) / 1e9,
                    overhead[0],
                    overhead[1]);

            // The heap of an agent with and without stripping what it never reads, each measured as what it added. Both
            // stay open until the end: closing a feed's watches while the mock server sends into them stalls its event
            // loop for ~30 s, which would distort what follows. The stripped one goes first, so one-time costs land on
            // it.
            // Live objects by class (a full GC's histogram), not the heap's occupancy: the mock server's and the HTTP
            // clients' buffers come and go in the same JVM and swamp the difference otherwise.
            Map<String, Long> base = liveHistogram();
            FeedLoop strippedLoop = agent(cluster, true, services);
            Map<String, Long> afterStripped = liveHistogram();
            FeedLoop wholeLoop = agent(cluster, false, services);
            Map<String, Long> afterWhole = liveHistogram();
            long strippedHeap = total(afterStripped) - total(base);
            long wholeHeap = total(afterWhole) - total(afterStripped);
            printTopGrowth("stripped agent", base, afterStripped);
            printTopGrowth("whole-object agent", afterStripped, afterWhole);
            System.out.printf(
                    Locale.ROOT,
                    "heap held by an agent: %.0f MiB stripped, %.0f MiB whole objects%n",
                    strippedHeap / 1048576.0,
                    wholeHeap / 1048576.0);

            List<Run> runs = new ArrayList<>();
            for (int b = 0; b < backends.size(); b++) {
                runs.add(run(cluster, backends.get(b), services, perService, changes, b * changes, false));
            }

            // Baselines: a full translation of the cluster from the caches, as a non-incremental feed would do, and the
            // feed's incremental translation of one service; then validation of the whole state, full and incremental.
            List<Double> full = new ArrayList<>();
            List<Double> one = new ArrayList<>();
            List<Double> validation = new ArrayList<>();
            List<Double> incrementalValidation = new ArrayList<>();
            try (FullRebuild rebuild = new FullRebuild(cluster.newClient())) {
                MeshState last = null;
                for (int i = 0; i < 5; i++) {
                    long b = System.nanoTime();
                    last = rebuild.rebuild();
                    full.add((System.nanoTime() - b) / 1e6);
                }
                for (int i = 0; i < 20; i++) {
                    long b = System.nanoTime();
                    MeshState next = rebuild.rebuildOne("bench/svc-" + (i * 7919) % services);
                    one.add((System.nanoTime() - b) / 1e6);
                    if (i >= 10) continue;
                    b = System.nanoTime();
                    next.validate();
                    validation.add((System.nanoTime() - b) / 1e6);
                    // What a backend runs: validation against the state it applied before (the last full rebuild's).
                    b = System.nanoTime();
                    next.validate(last);
                    incrementalValidation.add((System.nanoTime() - b) / 1e6);
                }
            }

            System.out.println();
            System.out.println("| measurement | p50 | max | goal |");
            System.out.println("| --- | ---: | ---: | --- |");
            Run first = runs.getFirst();
            System.out.printf(
                    Locale.ROOT, "| initial list of all informers (start to synced) | %.2f s | | |%n", first.listS);
            for (Run r : runs) {
                String n = "[" + r.backend + "] ";
                System.out.printf(
                        Locale.ROOT,
                        "| %sinformer sync to first applied MeshState | %.0f ms | | <= 2 s |%n",
                        n,
                        r.syncToApplyMs);
                System.out.printf(
                        Locale.ROOT, "| %s... of which the backend's first apply | %.0f ms | | |%n", n, r.firstApplyMs);
                System.out.printf(
                        Locale.ROOT,
                        "| %sone EndpointSlice change to its apply, end to end (20 ms quiet period included) | %.1f ms | %.1f ms | <= 100 ms |%n",
                        n,
                        p50(r.feedLatency),
                        max(r.feedLatency));
                System.out.printf(
                        Locale.ROOT,
                        "| %s... change to the new state handed to the backend (watch + quiet period + translation) | %.1f ms | %.1f ms | |%n",
                        n,
                        p50(r.handOver),
                        max(r.handOver));
                System.out.printf(
                        Locale.ROOT,
                        "| %s... the feed's own part (hand-over minus the bare informer's delivery of the same change) | %.1f ms | %.1f ms | |%n",
                        n,
                        p50(r.feedOwn),
                        max(r.feedOwn));
                System.out.printf(
                        Locale.ROOT,
                        "| %s... the backend's apply | %.1f ms | %.1f ms | |%n",
                        n,
                        p50(r.applyOnly),
                        max(r.applyOnly));
                System.out.printf(
                        Locale.ROOT,
                        "| %sbaseline: the same change seen by a bare informer (watch delivery) | %.1f ms | %.1f ms | |%n",
                        n,
                        p50(r.watchOnly),
                        max(r.watchOnly));
            }
            System.out.printf(
                    Locale.ROOT,
                    "| baseline: full translation of the cluster (non-incremental) | %.1f ms | %.1f ms | |%n",
                    p50(full),
                    max(full));
            System.out.printf(
                    Locale.ROOT,
                    "| incremental translation of one changed service | %.1f ms | %.1f ms | |%n",
                    p50(one),
                    max(one));
            System.out.printf(
                    Locale.ROOT,
                    "| MeshState.validate() of the whole state | %.1f ms | %.1f ms | |%n",
                    p50(validation),
                    max(validation));
            System.out.printf(
                    Locale.ROOT,
                    "| MeshState.validate(previous), one service changed | %.1f ms | %.1f ms | |%n",
                    p50(incrementalValidation),
                    max(incrementalValidation));
            System.out.printf(
                    Locale.ROOT,
                    "| baseline: heap held by the agent, whole objects cached (no stripping) | %.0f MiB | | |%n",
                    wholeHeap / 1048576.0);
            System.out.printf(
                    Locale.ROOT,
                    "| heap held by the agent, managedFields and last-applied stripped before caching | %.0f MiB | | |%n",
                    strippedHeap / 1048576.0);
            System.out.printf(
                    Locale.ROOT,
                    "%nper endpoint: %.0f bytes of heap without stripping, %.0f bytes with%n",
                    wholeHeap / (double) (services * perService),
                    strippedHeap / (double) (services * perService));
            System.out.flush();
        } catch (Throwable t) {
            t.printStackTrace(); // closing the mock server can time out after the tables are printed; exit all the same
        }
        System.exit(0); // the mock server's Vert.x threads are not daemons
    }

    /** What one feed over one backend measured. */
    private static final class Run {
        String backend;
        double listS;
        double syncToApplyMs;
        double firstApplyMs;
        long heapBytes;
        final List<Double> watchOnly = new ArrayList<>();
        final List<Double> feedLatency = new ArrayList<>();
        final List<Double> handOver = new ArrayList<>();
        final List<Double> feedOwn = new ArrayList<>();
        final List<Double> applyOnly = new ArrayList<>();
    }

    /**
     * Starts a feed over {@code backend} (lean-full: validates the whole state on every apply, as backends did before
     * incremental validation; lean: validates against the last applied state; sim: the simulator), waits for its first
     * apply, then times {@code changes} slice updates one at a time, and stops the feed.
     */
    private static Run run(
            BenchCluster cluster,
            String backend,
            int services,
            int perService,
            int changes,
            int generationBase,
            boolean measureHeap)
            throws Exception {
        KubernetesClient client = cluster.client();
        Run r = new Run();
        r.backend = backend;
        long heapBefore = measureHeap ? usedHeapAfterGc() : 0;
        // "name@ms" runs the feed with that quiet period instead of the default.
        String kind = backend.contains("@") ? backend.substring(0, backend.indexOf('@')) : backend;
        FeedOptions options = FeedOptions.forNode("node-0");
        if (!kind.equals(backend)) {
            options = options.withQuietPeriod(
                    Duration.ofMillis(Long.parseLong(backend.substring(kind.length() + 1))), options.maxDelay());
        }
        TimedDataplane dataplane = new TimedDataplane(
                switch (kind) {
                    case "lean-full" -> new LeanDataplane(true);
                    case "lean" -> new LeanDataplane(false);
                    case "sim" -> SimulatedDataplane.seeded(1);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown backend " + backend + " (lean-full, lean or sim, optionally @quiet-ms)");
                });
        AtomicLong syncedAt = new AtomicLong();
        AtomicLong firstAppliedAt = new AtomicLong();
        AtomicReference<CountDownLatch> applied = new AtomicReference<>(new CountDownLatch(1));
        FeedListener timing = new FeedListener() {
            @Override
            public void synced() {
                syncedAt.compareAndSet(0, System.nanoTime());
            }

            @Override
            public void applied(MeshState state, ApplyResult result, Duration took) {
                firstAppliedAt.compareAndSet(0, System.nanoTime());
                applied.get().countDown();
            }
        };
        long started = System.nanoTime();
        try (dataplane;
                KubernetesFeed feed = KubernetesFeed.start(client, dataplane, options, List.of(timing))) {
            if (!applied.get().await(10, TimeUnit.MINUTES))
                throw new IllegalStateException("no apply: " + feed.health());
            r.listS = (syncedAt.get() - started) / 1e9;
            r.syncToApplyMs = (firstAppliedAt.get() - syncedAt.get()) / 1e6;
            r.firstApplyMs = dataplane.took / 1e6;
            int endpoints = dataplane.state().services().stream()
                    .mapToInt(s -> s.endpoints().size())
                    .sum();
            if (dataplane.state().services().size() != services || endpoints != services * perService) {
                throw new IllegalStateException(
                        "applied " + dataplane.state().services().size() + " services / " + endpoints + " endpoints");
            }
            if (measureHeap) r.heapBytes = usedHeapAfterGc() - heapBefore;

            // Baseline: the bare watch delivery of the same slice update, on a plain informer of another client.
            try (KubernetesClient other = cluster.newClient()) {
                AtomicReference<CountDownLatch> seen = new AtomicReference<>(new CountDownLatch(1));
                var informer = other.discovery()
                        .v1()
                        .endpointSlices()
                        .inNamespace("bench")
                        .inform(new ResourceEventHandler<>() {
                            public void onAdd(EndpointSlice obj) {}

                            public void onUpdate(EndpointSlice o, EndpointSlice n) {
                                seen.get().countDown();
                            }

                            public void onDelete(EndpointSlice obj, boolean unknown) {}
                        });
                for (int c = 0; c < changes; c++) {
                    int target = (c * 7919) % services;
                    seen.set(new CountDownLatch(1));
                    applied.set(new CountDownLatch(1));
                    long before = System.nanoTime();
                    client.discovery()
                            .v1()
                            .endpointSlices()
                            .inNamespace("bench")
                            .resource(slice(target, perService, generationBase + c + 1))
                            .update();
                    seen.get().await(1, TimeUnit.MINUTES);
                    long watched = System.nanoTime();
                    if (!applied.get().await(1, TimeUnit.MINUTES))
                        throw new IllegalStateException("change " + c + " not applied");
                    long done = System.nanoTime();
                    r.watchOnly.add((watched - before) / 1e6);
                    r.feedLatency.add((done - before) / 1e6);
                    r.handOver.add((dataplane.enteredAt - before) / 1e6);
                    r.feedOwn.add((dataplane.enteredAt - watched) / 1e6);
                    r.applyOnly.add(dataplane.took / 1e6);
                    Thread.sleep(100); // let the quiet period of the previous change pass: one change per batch
                }
                informer.stop();
            }
        }
        System.out.printf(
                Locale.ROOT,
                "[%s] one change end to end p50 %.1f ms (watch %.1f ms, backend apply %.1f ms)%n",
                backend,
                p50(r.feedLatency),
                p50(r.watchOnly),
                p50(r.applyOnly));
        return r;
    }

    /**
     * An agent (informer caches, translations, applied state over the lean backend) that has applied the whole cluster,
     * with or without stripping managedFields and the last-applied annotation before caching. Left running.
     */
    private static FeedLoop agent(BenchCluster cluster, boolean strip, int services) throws Exception {
        LeanDataplane dataplane = new LeanDataplane(false);
        FeedLoop loop = new FeedLoop(
                cluster.newClient(), dataplane, FeedOptions.forNode("node-0").withWriteStatus(false), strip);
        loop.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!loop.health().ready() || dataplane.state().services().size() != services) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no apply: " + loop.health());
            Thread.sleep(50);
        }
        return loop;
    }

    private static io.fabric8.kubernetes.api.model.Service service(int i) {
        return ManagedFields.kubectlApplied(
                new ServiceBuilder()
                        .withNewMetadata()
                        .withNamespace("bench")
                        .withName("svc-" + i)
                        .endMetadata()
                        .withNewSpec()
                        .withType("ClusterIP")
                        .withClusterIP(vip(i))
                        .withClusterIPs(vip(i))
                        .addNewPort()
                        .withName("http")
                        .withPort(80)
                        .withNewTargetPort(8080)
                        .withProtocol("TCP")
                        .endPort()
                        .endSpec()
                        .build(),
                "kube-controller-manager");
    }

    private static EndpointSlice slice(int i, int perService, int generation) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
        for (int e = 0; e < perService; e++) {
            int n = i * perService + e + generation; // a change shifts the addresses by one: one removed, one added
            eps.add(new EndpointBuilder()
                    .withAddresses("10." + (64 + (n >> 16 & 63)) + "." + (n >> 8 & 255) + "." + (n & 255))
                    .withNewConditions()
                    .withReady(true)
                    .endConditions()
                    .build());
        }
        // As the endpointslice controller writes them: its managedFields entry over every endpoint.
        return ManagedFields.controllerManaged(
                new EndpointSliceBuilder()
                        .withNewMetadata()
                        .withNamespace("bench")
                        .withName("svc-" + i + "-abcde")
                        .addToLabels("kubernetes.io/service-name", "svc-" + i)
                        .endMetadata()
                        .withAddressType("IPv4")
                        .withEndpoints(eps)
                        .addNewPort()
                        .withName("http")
                        .withPort(8080)
                        .withProtocol("TCP")
                        .endPort()
                        .build(),
                "endpointslice-controller.k8s.io");
    }

    private static String vip(int i) {
        return "10.96." + (i >> 8 & 255) + "." + (i & 255);
    }

    /** Bytes of live objects per class, from a full-GC class histogram (the DiagnosticCommand MBean, as jcmd does). */
    private static Map<String, Long> liveHistogram() throws Exception {
        // Reflectively: the test sources compile inside the module, which does not read java.management; the benchmark
        // runs on the class path, where it is there.
        Object server = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getPlatformMBeanServer")
                .invoke(null);
        Class<?> objectName = Class.forName("javax.management.ObjectName");
        Object name = objectName.getConstructor(String.class).newInstance("com.sun.management:type=DiagnosticCommand");
        String text = (String) Class.forName("javax.management.MBeanServerConnection")
                .getMethod("invoke", objectName, String.class, Object[].class, String[].class)
                .invoke(server, name, "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
        Map<String, Long> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":")) continue;
            out.merge(f[3], Long.parseLong(f[2]), Long::sum);
        }
        return out;
    }

    private static long total(Map<String, Long> histogram) {
        return histogram.values().stream().mapToLong(Long::longValue).sum();
    }

    private static void printTopGrowth(String what, Map<String, Long> before, Map<String, Long> after) {
        List<Map.Entry<String, Long>> growth = new ArrayList<>();
        after.forEach((k, v) -> growth.add(Map.entry(k, v - before.getOrDefault(k, 0L))));
        growth.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        System.out.printf(
                Locale.ROOT, "%s: %.0f MiB live, most of it:", what, (total(after) - total(before)) / 1048576.0);
        growth.stream()
                .limit(6)
                .forEach(e -> System.out.printf(Locale.ROOT, " %s %.1f MiB;", e.getKey(), e.getValue() / 1048576.0));
        System.out.println();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        // The least of several readings after full collections: what is still reachable, not garbage not yet collected.
        Runtime runtime = Runtime.getRuntime();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(150);
            least = Math.min(least, runtime.totalMemory() - runtime.freeMemory());
        }
        return least;
    }

    private static double p50(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double max(List<Double> values) {
        return Collections.max(values);
    }

    /** Times each apply of the backend it wraps: when the feed handed a state over, and how long the apply took. */
    static final class TimedDataplane implements MeshDataplane {
        private final MeshDataplane inner;
        volatile long enteredAt;
        volatile long took;

        TimedDataplane(MeshDataplane inner) {
            this.inner = inner;
        }

        public String name() {
            return inner.name();
        }

        public synchronized ApplyResult apply(MeshState next) {
            enteredAt = System.nanoTime();
            try {
                return inner.apply(next);
            } finally {
                took = System.nanoTime() - enteredAt;
            }
        }

        public MeshState state() {
            return inner.state();
        }

        public Flows flows() {
            return inner.flows();
        }

        public Set<Capability> capabilities() {
            return inner.capabilities();
        }

        @Override
        public List<BackendHealth> health() {
            return inner.health();
        }

        public void close() {
            inner.close();
        }
    }

    /**
     * Validates and diffs like every backend, keeps only the last state (measures the feed, not a backend). With
     * {@code wholeState} it validates everything on every apply, as backends did before {@code validate(previous)}.
     */
    static final class LeanDataplane implements MeshDataplane {
        private final FlowHub hub = new FlowHub();
        private final boolean wholeState;
        private volatile MeshState state = MeshState.EMPTY;
        private long generation;

        LeanDataplane(boolean wholeState) {
            this.wholeState = wholeState;
        }

        public String name() {
            return wholeState ? "lean-full" : "lean";
        }

        public synchronized ApplyResult apply(MeshState next) {
            var violations = wholeState ? next.validate() : next.validate(state);
            if (!violations.isEmpty()) throw new InvalidStateException(violations);
            var changes = StateDiff.between(state, next);
            state = next;
            if (!changes.isEmpty()) generation++;
            return new ApplyResult(generation, changes);
        }

        public MeshState state() {
            return state;
        }

        public Flows flows() {
            return hub;
        }

        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public List<BackendHealth> health() {
            return List.of(BackendHealth.nothingToReport(name()));
        }

        public void close() {}
    }
}
