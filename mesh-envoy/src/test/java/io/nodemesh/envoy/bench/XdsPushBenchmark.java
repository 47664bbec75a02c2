package io.nodemesh.envoy.bench;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.envoy.EnvoyDataplane;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test): translate a large mesh and push it over ADS to many raw xDS clients on loopback.
 * Prints the time to the first full configuration on every client, and to propagate one endpoint change; the baseline
 * rows (translation alone, one client) are measured in the same run.
 * <p>
 * Run: {@code mvn -pl mesh-envoy test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.nodemesh.envoy.bench.XdsPushBenchmark -Dexec.args="10000 100 0.1 true sotw"}
 * (services, clients, share of services that are L7, schema check on apply, {@code sotw} or {@code delta} clients);
 * {@code -Dbench.backends=N} backends per service (default 2). Each figure is printed with its ratio to its floor in the
 * same run: a first full config to the encoding of that config for as many clients with nothing else (in the clients'
 * protocol, measured again just before each round, in wall time and in CPU time), one change to N clients to one change
 * to one client. See docs/envoy.md.
 */
public final class XdsPushBenchmark {
    private static final List<String> TYPES = List.of(
            Resources.V3.CLUSTER_TYPE_URL,
            Resources.V3.ENDPOINT_TYPE_URL,
            Resources.V3.LISTENER_TYPE_URL,
            Resources.V3.ROUTE_TYPE_URL);

    public static void main(String[] args) throws Exception {
        // Before any logger exists: the server's and java-control-plane's per-request logging is not what is measured.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        double l7Share = args.length > 2 ? Double.parseDouble(args[2]) : 0.1;
        boolean schemaCheck = args.length <= 3 || Boolean.parseBoolean(args[3]);
        boolean delta = args.length > 4 && args[4].equals("delta");
        MeshState state = state(services, clients, l7Share, BACKENDS);
        System.out.printf(
                "mesh: %d services (%d L7, %d backends each), %d nodes, %d workloads; %d clients (%s xDS); schema check %s%n",
                services,
                state.services().stream().filter(Service::l7).count(),
                BACKENDS,
                state.nodes().size(),
                state.workloads().size(),
                clients,
                delta ? "delta" : "state-of-the-world",
                schemaCheck);

        // Baseline 1: translation alone (no serving), warmed up.
        // A fresh translator each time: a reused one would hand back its cached translation.
        for (int i = 0; i < 3; i++) new MeshTranslator(15001).shared(state);
        long t0 = System.nanoTime();
        var shared = new MeshTranslator(15001).shared(state);
        long translateNs = System.nanoTime() - t0;
        System.out.printf(
                "translated: %d clusters, %d assignments, %d listeners, %d routes%n",
                shared.clusters().size(),
                shared.endpoints().size(),
                shared.listeners().size(),
                shared.routes().size());

        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {"translate cluster-wide resources only (baseline)", ms(translateNs), "-", "-", "-", "-"});
        for (int i = 0; i < 3; i++) io.nodemesh.envoy.internal.translate.ProtoSchemaCheck.check(shared);
        t0 = System.nanoTime();
        io.nodemesh.envoy.internal.translate.ProtoSchemaCheck.check(shared);
        rows.add(new String[] {
            "schema check of every resource only (baseline)", ms(System.nanoTime() - t0), "-", "-", "-", "-"
        });
        for (int i = 0; i < 3; i++) state.validate();
        t0 = System.nanoTime();
        state.validate();
        rows.add(new String[] {"MeshState.validate() only (baseline)", ms(System.nanoTime() - t0), "-", "-", "-", "-"});
        // Baseline 2: writing the full config's responses (resources packed once, as the server does), no network, in
        // the clients' protocol: the floor of serving a first full config to n clients. Measured again before each
        // round, so a round is compared with a floor taken under the same host load as itself.
        for (int n : clients == 1 ? List.of(1) : List.of(1, clients)) {
            serialize(shared, n, delta);
            Floor f = floor(shared, n, delta);
            rows.add(new String[] {
                "serialize full config for " + n + " client(s) only (floor)",
                ms(f.wallNs),
                "-",
                "1 (floor; " + ms(f.cpuNs) + " ms CPU)",
                mb(f.bytes),
                mb(f.bytes / n)
            });
        }
        long oneClientChangeNs = 0;
        for (int n : clients == 1 ? List.of(1) : List.of(1, clients)) {
            // Several rounds, each with a fresh dataplane and fresh clients: the first also pays for JIT compilation of
            // the paths it is the first to take (a second of CPU on two cores), which a running control plane has done.
            List<Result> rounds = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                Floor f = floor(shared, n, delta);
                Result r = run(state, n, schemaCheck, delta).against(f);
                rounds.add(r);
                System.out.printf(
                        "round %d, %d client(s): first full config %s ms (apply %s ms), %s ms of CPU; floor %s ms, %s ms"
                                + " of CPU; ratio %s (CPU %s); one change %s ms (apply %s ms)%n",
                        round + 1,
                        n,
                        ms(r.firstFullNs),
                        ms(r.applyNs),
                        ms(r.firstFullCpuNs),
                        ms(f.wallNs),
                        ms(f.cpuNs),
                        times(r.wallRatio),
                        times(r.cpuRatio),
                        ms(r.changeNs),
                        ms(r.changeApplyNs));
            }
            Result cold = rounds.getFirst();
            List<Result> warm = rounds.size() > 1 ? rounds.subList(1, rounds.size()) : rounds;
            long warmFull = median(warm, Result::firstFullNs);
            long change = median(warm, Result::changeNs);
            if (n == 1) oneClientChangeNs = change;
            rows.add(new String[] {
                "first full config, " + n + " client(s), first round",
                ms(cold.applyNs),
                ms(cold.firstFullNs),
                times(cold.wallRatio) + " (CPU " + times(cold.cpuRatio) + ")",
                mb(cold.bytes),
                mb(cold.bytes / n)
            });
            rows.add(new String[] {
                "first full config, " + n + " client(s), median of later",
                ms(median(warm, Result::applyNs)),
                ms(warmFull),
                times(medianRatio(warm, Result::wallRatio)) + " (CPU " + times(medianRatio(warm, Result::cpuRatio))
                        + (n > 1 ? "; goal <= 3)" : ")"),
                mb(cold.bytes),
                mb(cold.bytes / n)
            });
            rows.add(new String[] {
                "one endpoint change, " + n + " client(s), median",
                ms(median(warm, Result::changeApplyNs)),
                ms(change),
                n == 1 ? "1 (floor)" : ratio(change, oneClientChangeNs) + " (goal <= 5, <= 50 ms)",
                "-",
                "-"
            });
        }
        System.out.printf(
                "load average at the end: %s%n",
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                        .trim());
        System.out.printf(
                "%n%-52s %12s %22s %34s %12s %12s%n",
                "case", "apply() ms", "until all clients ms", "ratio to floor", "MB received", "MB / client");
        for (String[] row : rows) System.out.printf("%-52s %12s %22s %34s %12s %12s%n", (Object[]) row);
        System.exit(0); // a benchmark's main: grpc's non-daemon threads must not keep it alive
    }

    /**
     * Writes one response per type per client, as the server does after packing each resource once: state of the world
     * carries the packed resources, delta wraps each in a {@code Resource} with its name and version.
     */
    private static long serialize(io.nodemesh.envoy.internal.translate.MeshResources shared, int clients, boolean delta)
            throws java.io.IOException {
        List<List<com.google.protobuf.Any>> packed = new ArrayList<>();
        List<List<io.envoyproxy.envoy.service.discovery.v3.Resource>> wrapped = new ArrayList<>();
        for (List<? extends com.google.protobuf.Message> list :
                List.of(shared.clusters(), shared.endpoints(), shared.listeners(), shared.routes())) {
            List<com.google.protobuf.Any> anys = new ArrayList<>(list.size());
            List<io.envoyproxy.envoy.service.discovery.v3.Resource> resources = new ArrayList<>(list.size());
            for (var m : list) {
                var any = com.google.protobuf.Any.pack(m);
                any.getTypeUrlBytes();
                anys.add(any);
                if (delta) {
                    resources.add(io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder()
                            .setName(Resources.getResourceName(m))
                            .setVersion(Integer.toHexString(m.hashCode()) + "-" + m.getSerializedSize())
                            .setResource(any)
                            .build());
                }
            }
            packed.add(anys);
            wrapped.add(resources);
        }
        long written = 0;
        var sink = java.io.OutputStream.nullOutputStream();
        for (int c = 0; c < clients; c++) {
            for (int t = 0; t < packed.size(); t++) {
                com.google.protobuf.Message r = delta
                        ? io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse.newBuilder()
                                .setSystemVersionInfo("1")
                                .setNonce(Integer.toString(c))
                                .setTypeUrl(TYPES.get(t))
                                .addAllResources(wrapped.get(t))
                                .build()
                        : DiscoveryResponse.newBuilder()
                                .setVersionInfo("1")
                                .setNonce(Integer.toString(c))
                                .setTypeUrl(TYPES.get(t))
                                .addAllResources(packed.get(t))
                                .build();
                r.writeTo(sink);
                written += r.getSerializedSize();
            }
        }
        return written;
    }

    private record Result(
            long applyNs,
            long firstFullNs,
            long firstFullCpuNs,
            long changeApplyNs,
            long changeNs,
            long bytes,
            double wallRatio,
            double cpuRatio) {
        /** This round's first full config as multiples of the floor measured just before it. */
        Result against(Floor f) {
            return new Result(
                    applyNs,
                    firstFullNs,
                    firstFullCpuNs,
                    changeApplyNs,
                    changeNs,
                    bytes,
                    (double) firstFullNs / f.wallNs,
                    (double) firstFullCpuNs / f.cpuNs);
        }
    }

    /**
     * The serialize-only floor: its wall time, and the CPU time of the thread that did it (less swayed by other
     * processes on a busy host than the wall time; the first full config's CPU is the whole process's, clients too).
     */
    private record Floor(long wallNs, long cpuNs, long bytes) {}

    private static Floor floor(io.nodemesh.envoy.internal.translate.MeshResources shared, int clients, boolean delta)
            throws java.io.IOException {
        long cpu0 = ThreadCpu.current();
        long t0 = System.nanoTime();
        long bytes = serialize(shared, clients, delta);
        return new Floor(System.nanoTime() - t0, ThreadCpu.current() - cpu0, bytes);
    }

    /** CPU time of the whole process (server and clients): on two cores, whether a phase was short of CPU. */
    private static long cpuNs() {
        return ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .orElse(java.time.Duration.ZERO)
                .toNanos();
    }

    private static Result run(MeshState state, int clients, boolean schemaCheck, boolean delta) throws Exception {
        try (EnvoyDataplane dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS
                .with("envoy.schemaCheck", Boolean.toString(schemaCheck))
                .with("envoy.xdsSecurity", "plaintext"))) {
            List<String> clusterNames = new ArrayList<>();
            List<String> routeNames = new ArrayList<>();
            for (Service s : state.services()) {
                for (ServicePort p : s.ports()) {
                    clusterNames.add("outbound|" + p.port() + "||" + s.name() + "." + s.namespace());
                    if (s.l7()) routeNames.add(s.name() + "." + s.namespace() + ":" + p.port());
                }
            }
            CountDownLatch full = new CountDownLatch(clients);
            List<Client> all = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                all.add(new Client(dp.xdsPort(), "node-" + i, clusterNames, routeNames, full, delta));
            }
            if (Boolean.getBoolean("bench.phases"))
                System.err.println("PHASE full " + clients + " " + java.time.LocalTime.now());
            long cpu0 = cpuNs();
            Map<String, Long> threads0 = ThreadCpu.byGroup();
            long t0 = System.nanoTime();
            dp.apply(state);
            long applyNs = System.nanoTime() - t0;
            if (!full.await(300, TimeUnit.SECONDS)) throw new IllegalStateException("clients never got a full config");
            long firstFullNs = System.nanoTime() - t0;
            long firstFullCpuNs = cpuNs() - cpu0;
            if (Boolean.getBoolean("bench.threads"))
                System.out.println(
                        "CPU ms by thread, first full config to " + clients + ": " + ThreadCpu.since(threads0));
            long bytes = all.stream().mapToLong(c -> c.bytes).sum();

            // One change: one service's backend moves; every client must see it. Repeated, and the median reported,
            // so one JIT compilation or GC pause does not stand for the whole.
            String changedCluster = clusterNames.getFirst();
            List<Long> applies = new ArrayList<>();
            List<Long> propagations = new ArrayList<>();
            MeshState current = state;
            if (Boolean.getBoolean("bench.phases"))
                System.err.println("PHASE changes " + clients + " " + java.time.LocalTime.now());
            long changesCpu0 = cpuNs();
            Map<String, Long> changesThreads0 = ThreadCpu.byGroup();
            for (int round = 0; round < CHANGES; round++) {
                final int r = round;
                current = current.withService(
                        state.services().get(0).key(),
                        s -> s.withEndpoints(List.of(Endpoint.ready("10.255.255." + (r + 1), ""))));
                CountDownLatch change = new CountDownLatch(clients);
                String version = Long.toString(round + 2);
                all.forEach(c -> c.awaitEndpointsChange(version, changedCluster, change));
                t0 = System.nanoTime();
                dp.apply(current);
                applies.add(System.nanoTime() - t0);
                if (!change.await(300, TimeUnit.SECONDS))
                    throw new IllegalStateException("clients never got change " + round);
                propagations.add(System.nanoTime() - t0);
            }
            if (Boolean.getBoolean("bench.phases"))
                System.err.println("PHASE end " + clients + " " + java.time.LocalTime.now());
            if (Boolean.getBoolean("bench.threads"))
                System.out.println("CPU ms of " + CHANGES + " changes to " + clients + " client(s): "
                        + ms(cpuNs() - changesCpu0) + " in all; by thread: " + ThreadCpu.since(changesThreads0));
            long changeApplyNs = median(applies);
            long changeNs = median(propagations);
            all.forEach(Client::close);
            return new Result(applyNs, firstFullNs, firstFullCpuNs, changeApplyNs, changeNs, bytes, 0, 0);
        }
    }

    /** A raw ADS client that subscribes to everything at once and ACKs what it gets, as a warmed-up Envoy does. */
    private static final class Client implements StreamObserver<LightResponse> {
        private final ManagedChannel channel;
        private final StreamObserver<byte[]> stream;
        private final StreamObserver<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest> deltaStream;
        private volatile String awaitedCluster;
        private final Node node;
        private final Map<String, List<String>> names;
        private final Map<String, String> versions = new ConcurrentHashMap<>();
        private final CountDownLatch full;
        private volatile String awaitedEndpoints;
        private volatile CountDownLatch endpointsLatch;
        volatile long bytes;
        private boolean counted;

        Client(
                int port,
                String nodeId,
                List<String> clusters,
                List<String> routes,
                CountDownLatch full,
                boolean delta) {
            this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    .maxInboundMessageSize(512 << 20)
                    .flowControlWindow(ENVOY_STREAM_WINDOW)
                    .build();
            this.node = Node.newBuilder().setId(nodeId).build();
            this.full = full;
            this.names = Map.of(
                    Resources.V3.CLUSTER_TYPE_URL,
                    List.of(),
                    Resources.V3.ENDPOINT_TYPE_URL,
                    clusters,
                    Resources.V3.LISTENER_TYPE_URL,
                    List.of(),
                    Resources.V3.ROUTE_TYPE_URL,
                    routes);
            if (delta) {
                this.stream = null;
                var method = AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().toBuilder(
                                io.grpc.protobuf.ProtoUtils.marshaller(
                                        io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest
                                                .getDefaultInstance()),
                                LightResponse.marshaller(true))
                        .build();
                this.deltaStream = io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
                        channel.newCall(method, io.grpc.CallOptions.DEFAULT), new DeltaObserver());
                for (String type : TYPES) {
                    deltaStream.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
                            .setNode(node)
                            .setTypeUrl(type)
                            .addAllResourceNamesSubscribe(names.get(type))
                            .build());
                }
            } else {
                this.deltaStream = null;
                var method = AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
                                ENCODED, LightResponse.marshaller(false))
                        .build();
                this.stream = io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
                        channel.newCall(method, io.grpc.CallOptions.DEFAULT), this);
                for (String type : TYPES) send(type, "", "");
            }
        }

        /** The incremental protocol: only changed resources come, each named; ACK by nonce. */
        private final class DeltaObserver implements StreamObserver<LightResponse> {
            @Override
            public void onNext(LightResponse r) {
                if (Boolean.getBoolean("bench.trace"))
                    System.err.println(
                            node.getId() + " delta " + r.typeUrl() + " " + r.resources() + " v" + r.version());
                bytes += r.bytes();
                synchronized (Client.this) {
                    deltaStream.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
                            .setNode(node)
                            .setTypeUrl(r.typeUrl())
                            .setResponseNonce(r.nonce())
                            .build());
                    versions.put(r.typeUrl(), r.version());
                    if (!counted && versions.keySet().containsAll(TYPES)) {
                        counted = true;
                        full.countDown();
                    }
                }
                CountDownLatch l = endpointsLatch;
                if (l != null
                        && r.typeUrl().equals(Resources.V3.ENDPOINT_TYPE_URL)
                        && r.names().contains(awaitedCluster)) {
                    endpointsLatch = null;
                    l.countDown();
                }
            }

            @Override
            public void onError(Throwable t) {
                Client.this.onError(t);
            }

            @Override
            public void onCompleted() {}
        }

        private synchronized void send(String type, String version, String nonce) {
            byte[] names = requests.computeIfAbsent(type, this::template);
            try {
                var tail = new java.io.ByteArrayOutputStream(64);
                var out = com.google.protobuf.CodedOutputStream.newInstance(tail);
                out.writeString(DiscoveryRequest.VERSION_INFO_FIELD_NUMBER, version);
                out.writeString(DiscoveryRequest.RESPONSE_NONCE_FIELD_NUMBER, nonce);
                out.flush();
                byte[] request = java.util.Arrays.copyOf(names, names.length + tail.size());
                System.arraycopy(tail.toByteArray(), 0, request, names.length, tail.size());
                stream.onNext(request);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /**
         * Per type the encoded request without version and nonce (fields may come in any order), so an ACK costs a copy
         * of bytes, as it does in Envoy: the clients share the server's two cores, and re-encoding 10,000 names per ACK
         * would measure them rather than the server.
         */
        private final Map<String, byte[]> requests = new ConcurrentHashMap<>();

        private byte[] template(String type) {
            return DiscoveryRequest.newBuilder()
                    .setNode(node)
                    .setTypeUrl(type)
                    .addAllResourceNames(names.get(type))
                    .build()
                    .toByteArray();
        }

        void awaitEndpointsChange(String version, String cluster, CountDownLatch latch) {
            awaitedEndpoints = version;
            awaitedCluster = cluster;
            endpointsLatch = latch;
        }

        @Override
        public void onNext(LightResponse r) {
            if (Boolean.getBoolean("bench.trace"))
                System.err.println(node.getId() + " sotw " + r.typeUrl() + " " + r.resources() + " v" + r.version());
            bytes += r.bytes();
            versions.put(r.typeUrl(), r.version());
            send(r.typeUrl(), r.version(), r.nonce());
            synchronized (this) {
                if (!counted && versions.keySet().containsAll(TYPES)) {
                    counted = true;
                    full.countDown();
                }
            }
            CountDownLatch l = endpointsLatch;
            if (l != null
                    && r.typeUrl().equals(Resources.V3.ENDPOINT_TYPE_URL)
                    && r.version().equals(awaitedEndpoints)) {
                endpointsLatch = null;
                l.countDown();
            }
        }

        @Override
        public void onError(Throwable t) {
            System.err.println(node.getId() + ": " + t);
        }

        @Override
        public void onCompleted() {}

        void close() {
            if (stream != null) stream.onCompleted();
            if (deltaStream != null) deltaStream.onCompleted();
            channel.shutdownNow();
        }
    }

    /** {@code services} services in 100 namespaces, each with {@code backends} backends spread over {@code nodes} nodes. */
    static MeshState state(int services, int nodes, double l7Share, int backends) {
        var b = MeshState.builder();
        for (int n = 0; n < nodes; n++) {
            b.node(new io.nodemesh.api.state.Node(
                    "node-" + n,
                    List.of("192.168." + n / 250 + "." + (n % 250 + 1)),
                    List.of("10." + (n / 250) + "." + (n % 250) + ".0/24"),
                    ""));
        }
        int l7Every = l7Share <= 0 ? Integer.MAX_VALUE : (int) Math.round(1 / l7Share);
        for (int i = 0; i < services; i++) {
            String ns = "ns" + (i % 100);
            List<Endpoint> eps = new ArrayList<>();
            for (int k = 0; k < backends; k++) {
                int node = (i * backends + k) % nodes;
                int host = (i * backends + k) / nodes % 250 + 2;
                String ip = "10." + (node / 250) + "." + (node % 250) + "." + host;
                eps.add(Endpoint.ready(ip, ""));
            }
            b.service(new Service(
                    ns,
                    "svc" + i,
                    List.of("172.16." + (i / 250) + "." + (i % 250 + 1)),
                    List.of(ServicePort.tcp(8080, 8080)),
                    eps,
                    Map.of(),
                    LoadBalancing.ROUND_ROBIN,
                    SessionAffinity.NONE,
                    (i % l7Every == 0 ? ServiceLayer.L7 : ServiceLayer.L4)));
        }
        return b.build();
    }

    private static final int CHANGES = Integer.getInteger("bench.changes", 15);

    /** Backends per service ({@code -Dbench.backends}): 10 for the 50,000-service scale figures. */
    private static final int BACKENDS = Integer.getInteger("bench.backends", 2);

    /**
     * Envoy's default HTTP/2 stream window (initial_stream_window_size, 256 MiB): a 5 MB response is not held up by
     * window updates, as it would be with gRPC's 1 MiB default.
     */
    private static final int ENVOY_STREAM_WINDOW = 256 << 20;

    /** Requests the clients encoded themselves. */
    private static final io.grpc.MethodDescriptor.Marshaller<byte[]> ENCODED =
            new io.grpc.MethodDescriptor.Marshaller<>() {
                @Override
                public java.io.InputStream stream(byte[] value) {
                    return new java.io.ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(java.io.InputStream stream) {
                    throw new UnsupportedOperationException("clients only send requests");
                }
            };

    private static long median(List<Result> results, java.util.function.ToLongFunction<Result> value) {
        return median(results.stream().map(r -> value.applyAsLong(r)).toList());
    }

    /** Rounds per client count ({@code -Dbench.rounds}); the first is reported apart from the median of the rest. */
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 4);

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** {@code value} as a multiple of {@code floor}. */
    private static String ratio(long value, long floor) {
        return times((double) value / floor);
    }

    private static String times(double ratio) {
        return String.format("%.1f×", ratio);
    }

    private static double medianRatio(List<Result> results, java.util.function.ToDoubleFunction<Result> value) {
        double[] sorted = results.stream().mapToDouble(value).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1e6);
    }

    private static String ms(long ns) {
        return String.format("%.1f", ns / 1e6);
    }

    private XdsPushBenchmark() {}
}
