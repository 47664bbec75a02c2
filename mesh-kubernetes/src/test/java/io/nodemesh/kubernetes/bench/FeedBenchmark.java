package io.nodemesh.kubernetes.bench;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.nodemesh.api.ApplyResult;
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
import io.nodemesh.kubernetes.internal.FullRebuild;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
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
 * cluster (what a non-incremental feed would pay per change); (3) the heap held by the agent's caches.
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
        System.out.printf(Locale.ROOT, "nodemesh feed benchmark: %,d services x %,d endpoints = %,d endpoints, %d slice changes%n",
                services, perService, services * perService, changes);

        try (BenchCluster cluster = new BenchCluster()) {
            KubernetesClient client = cluster.client();
            long t = System.nanoTime();
            cluster.nodes(3);
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<?>> work = new ArrayList<>();
                for (int s = 0; s < services; s++) {
                    int i = s;
                    work.add(pool.submit(() -> {
                        client.services().inNamespace("bench").resource(service(i)).create();
                        client.discovery().v1().endpointSlices().inNamespace("bench").resource(slice(i, perService, 0)).create();
                    }));
                }
                for (Future<?> f : work) f.get();
            }
            System.out.printf(Locale.ROOT, "created in the mock API server in %.1f s%n", (System.nanoTime() - t) / 1e9);

            long heapBefore = usedHeapAfterGc();
            LeanDataplane dataplane = new LeanDataplane();
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
            try (KubernetesFeed feed = KubernetesFeed.start(client, dataplane, FeedOptions.forNode("node-0"), List.of(timing))) {
                if (!applied.get().await(10, TimeUnit.MINUTES)) throw new IllegalStateException("no apply: " + feed.health());
                double listS = (syncedAt.get() - started) / 1e9;
                double syncToApplyMs = (firstAppliedAt.get() - syncedAt.get()) / 1e6;
                double firstApplyMs = dataplane.took / 1e6;
                int endpoints = dataplane.state().services().stream().mapToInt(s -> s.endpoints().size()).sum();
                if (dataplane.state().services().size() != services || endpoints != services * perService) {
                    throw new IllegalStateException("applied " + dataplane.state().services().size() + " services / " + endpoints + " endpoints");
                }
                long heapAfter = usedHeapAfterGc();

                // Baseline 1: the bare watch delivery of a slice update, on a plain informer of another client.
                List<Double> watchOnly = new ArrayList<>();
                List<Double> feedLatency = new ArrayList<>();
                List<Double> handOver = new ArrayList<>();
                List<Double> applyOnly = new ArrayList<>();
                try (KubernetesClient other = cluster.newClient()) {
                    AtomicReference<CountDownLatch> seen = new AtomicReference<>(new CountDownLatch(1));
                    var informer = other.discovery().v1().endpointSlices().inNamespace("bench").inform(new ResourceEventHandler<>() {
                        public void onAdd(EndpointSlice obj) {}
                        public void onUpdate(EndpointSlice o, EndpointSlice n) { seen.get().countDown(); }
                        public void onDelete(EndpointSlice obj, boolean unknown) {}
                    });
                    for (int c = 0; c < changes; c++) {
                        int target = (c * 7919) % services;
                        seen.set(new CountDownLatch(1));
                        applied.set(new CountDownLatch(1));
                        long before = System.nanoTime();
                        client.discovery().v1().endpointSlices().inNamespace("bench").resource(slice(target, perService, c + 1)).update();
                        seen.get().await(1, TimeUnit.MINUTES);
                        long watched = System.nanoTime();
                        if (!applied.get().await(1, TimeUnit.MINUTES)) throw new IllegalStateException("change " + c + " not applied");
                        long done = System.nanoTime();
                        watchOnly.add((watched - before) / 1e6);
                        feedLatency.add((done - before) / 1e6);
                        handOver.add((dataplane.enteredAt - before) / 1e6);
                        applyOnly.add(dataplane.took / 1e6);
                        Thread.sleep(100); // let the quiet period of the previous change pass: one change per batch
                    }
                    informer.stop();
                }

                // Baseline 2: a full translation of the cluster from the caches, as a non-incremental feed would do.
                List<Double> full = new ArrayList<>();
                try (FullRebuild rebuild = new FullRebuild(cluster.newClient())) {
                    for (int i = 0; i < 5; i++) {
                        long b = System.nanoTime();
                        MeshState s = rebuild.rebuild();
                        long validated = System.nanoTime();
                        s.validate();
                        full.add((validated - b) / 1e6);
                    }
                }
                List<Double> validation = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    long b = System.nanoTime();
                    dataplane.state().validate();
                    validation.add((System.nanoTime() - b) / 1e6);
                }

                System.out.println();
                System.out.println("| measurement | p50 | max | goal |");
                System.out.println("| --- | ---: | ---: | --- |");
                System.out.printf(Locale.ROOT, "| initial list of all informers (start to synced) | %.2f s | | |%n", listS);
                System.out.printf(Locale.ROOT, "| informer sync to first applied MeshState | %.0f ms | | <= 2 s |%n", syncToApplyMs);
                System.out.printf(Locale.ROOT, "| ... of which the backend's apply (validate + diff of the whole state) | %.0f ms | | |%n", firstApplyMs);
                System.out.printf(Locale.ROOT, "| one EndpointSlice change to its apply, end to end (20 ms quiet period included) | %.1f ms | %.1f ms | <= 100 ms |%n",
                        p50(feedLatency), max(feedLatency));
                System.out.printf(Locale.ROOT, "| ... change to the new state handed to the backend (watch + quiet period + incremental translation) | %.1f ms | %.1f ms | |%n",
                        p50(handOver), max(handOver));
                System.out.printf(Locale.ROOT, "| ... the backend's apply (validate + diff of the whole state) | %.1f ms | %.1f ms | |%n",
                        p50(applyOnly), max(applyOnly));
                System.out.printf(Locale.ROOT, "| baseline: the same change seen by a bare informer (watch delivery) | %.1f ms | %.1f ms | |%n",
                        p50(watchOnly), max(watchOnly));
                System.out.printf(Locale.ROOT, "| baseline: full translation of the cluster (non-incremental) | %.1f ms | %.1f ms | |%n",
                        p50(full), max(full));
                System.out.printf(Locale.ROOT, "| MeshState.validate() of the whole state (every backend's first step) | %.1f ms | %.1f ms | |%n",
                        p50(validation), max(validation));
                System.out.printf(Locale.ROOT, "| heap held by the agent (informer caches + translations + applied state) | %.0f MiB | | |%n",
                        (heapAfter - heapBefore) / 1048576.0);
                System.out.printf(Locale.ROOT, "%nper endpoint: %.0f bytes of heap%n", (heapAfter - heapBefore) / (double) (services * perService));
            }
        }
        System.exit(0); // the mock server's Vert.x threads are not daemons
    }

    private static io.fabric8.kubernetes.api.model.Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withNamespace("bench").withName("svc-" + i).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(vip(i)).withClusterIPs(vip(i))
                .addNewPort().withName("http").withPort(80).withNewTargetPort(8080).withProtocol("TCP").endPort().endSpec().build();
    }

    private static EndpointSlice slice(int i, int perService, int generation) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
        for (int e = 0; e < perService; e++) {
            int n = i * perService + e + generation; // a change shifts the addresses by one: one removed, one added
            eps.add(new EndpointBuilder().withAddresses("10." + (64 + (n >> 16 & 63)) + "." + (n >> 8 & 255) + "." + (n & 255))
                    .withNewConditions().withReady(true).endConditions().build());
        }
        return new EndpointSliceBuilder().withNewMetadata().withNamespace("bench").withName("svc-" + i + "-abcde")
                .addToLabels("kubernetes.io/service-name", "svc-" + i).endMetadata().withAddressType("IPv4").withEndpoints(eps)
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().build();
    }

    private static String vip(int i) {
        return "10.96." + (i >> 8 & 255) + "." + (i & 255);
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

    /** Validates and diffs like every backend, keeps only the last state (the benchmark measures the feed, not a backend). */
    static final class LeanDataplane implements MeshDataplane {
        private final FlowHub hub = new FlowHub();
        private volatile MeshState state = MeshState.EMPTY;
        private long generation;
        /** When the feed last handed over a state, and how long validating and diffing it took. */
        volatile long enteredAt;
        volatile long took;

        public String name() { return "lean"; }

        public synchronized ApplyResult apply(MeshState next) {
            enteredAt = System.nanoTime();
            try {
                return doApply(next);
            } finally {
                took = System.nanoTime() - enteredAt;
            }
        }

        private ApplyResult doApply(MeshState next) {
            var violations = next.validate();
            if (!violations.isEmpty()) throw new InvalidStateException(violations);
            var changes = StateDiff.between(state, next);
            state = next;
            if (!changes.isEmpty()) generation++;
            return new ApplyResult(generation, changes);
        }

        public MeshState state() { return state; }
        public Flows flows() { return hub; }
        public Set<Capability> capabilities() { return Set.of(); }
        public void close() {}
    }
}
