package io.nodemesh.planner.internal;

import io.nodemesh.api.state.Locality;
import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.ProgressListener;
import io.nodemesh.planner.ProxyUsage;
import io.nodemesh.planner.TrafficPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Discrete-event simulation of one model at one offered load, in virtual nanoseconds. Requests arrive as a Poisson
 * stream, cross network segments (pure delays) and visit proxies; a proxy serves as many requests at once as it has
 * workers and queues the rest FIFO, so latency rises with load as in a real proxy. Requests live in slots of primitive
 * arrays and events in a primitive heap: the run allocates nothing per request.
 * <p>
 * Measurement: the first 10% of requests warm the queues up; the window runs from the arrival of the first measured
 * request to the arrival of the last one. L (time-average in flight), λ and W are all taken over that window so that
 * Little's law can be checked against independent bookkeeping.
 */
public final class Simulation {
    private static final int GEN = 0;
    private static final int ARRIVE = 1;
    private static final int DONE = 2;
    private static final int FINISH = 3;

    private final ClusterShape shape;
    private final Model model;
    private final PlannerParameters params;
    private final TrafficPattern traffic;
    private final boolean preferNode;
    private final Route[] routes;
    private final int pods;
    private final int nodes;
    private final int pps;
    private final int l7Services;
    private final double cv;

    // Proxies ("stations"): sidecar of pod i is station i, node proxy of node n is station pods + n.
    private final int[] busy;
    private final int[] queueHead;
    private final int[] queueTail;
    private final long[] busyNs;
    private final long[] visits;
    private final int sidecarWorkers;
    private final int nodeWorkers;

    // Request slots.
    private long[] start = new long[256];
    private int[] step = new int[256];
    private int[] route = new int[256];
    private int[] src = new int[256];
    private int[] dst = new int[256];
    private int[] next = new int[256];
    private boolean[] measured = new boolean[256];
    private int freeHead = -1;
    private int slotsUsed;

    public Simulation(
            ClusterShape shape,
            Model model,
            PlannerParameters params,
            int messageBytes,
            TrafficPattern traffic,
            Locality locality) {
        this.shape = shape;
        // The planner's nodes have no zones: PREFER_ZONE is ANY; NODE_ONLY always finds a local replica (PlanRequest).
        this.preferNode = locality == Locality.PREFER_NODE || locality == Locality.NODE_ONLY;
        this.model = model;
        this.params = params;
        this.traffic = traffic;
        this.routes = RouteBuilder.routes(params, model, messageBytes);
        this.pods = (int) shape.pods();
        this.nodes = shape.nodes();
        this.pps = shape.podsPerService();
        this.l7Services = shape.l7Services();
        this.cv = params.serviceTimeCv();
        int stations = pods + nodes;
        busy = new int[stations];
        queueHead = new int[stations];
        queueTail = new int[stations];
        busyNs = new long[stations];
        visits = new long[stations];
        Arrays.fill(queueHead, -1);
        Arrays.fill(queueTail, -1);
        sidecarWorkers = params.sidecar().workers();
        nodeWorkers = params.nodeProxy().workers();
    }

    /** Unloaded round trip of a request (no queueing, mean service times), for checks and calibration. */
    public double unloadedRoundTripUs(boolean crossNode, boolean l7) {
        return routes[RouteBuilder.index(crossNode, l7)].unloadedNs() / 1000.0;
    }

    /**
     * Runs {@code requests} requests at {@code rps} and returns what was measured.
     *
     * @param progress told every 65,536 finished requests, with {@code doneBefore} added (a plan runs many points)
     */
    public LoadPoint run(
            double rps,
            long requests,
            long seed,
            ProgressListener progress,
            long doneBefore,
            long planTotal,
            String label) {
        Rng rng = new Rng(seed * 0x9E3779B97F4A7C15L + model.name().hashCode() * 31L + Double.hashCode(rps));
        EventHeap heap = new EventHeap();
        LatencyHistogram hist = new LatencyHistogram();
        double meanGapNs = 1e9 / rps;
        long warmup = requests / 10;
        long lastMeasured = requests - 1; // arrivals [warmup, requests-1) are measured; the last one closes the window

        long now = 0;
        long lastArrival = 0;
        long generated = 0;
        long finished = 0;
        int inFlight = 0;
        double area = 0; // integral of in-flight count over time, in request·ns
        long lastT = 0;
        double areaAtStart = 0;
        double areaAtEnd = 0;
        long windowStart = 0;
        long windowEnd = 0;
        long finishedInWindow = 0;
        double latencySum = 0;
        long latencyCount = 0;
        long crossNodeCount = 0;

        heap.push(0, GEN);
        while (!heap.isEmpty()) {
            long t = heap.peekTime();
            int ev = heap.pop();
            area += (double) inFlight * (t - lastT);
            lastT = t;
            now = t;
            int type = ev & 3;
            int slot = ev >>> 2;
            switch (type) {
                case GEN -> {
                    if (generated == warmup) {
                        areaAtStart = area;
                        windowStart = t;
                    }
                    if (generated == lastMeasured) {
                        areaAtEnd = area;
                        windowEnd = t;
                    }
                    int s = allocate();
                    start[s] = t;
                    step[s] = 0;
                    measured[s] = generated >= warmup && generated < lastMeasured;
                    pickPair(s, rng);
                    inFlight++;
                    Route r = routes[route[s]];
                    heap.push(t + r.delaysNs()[0], (s << 2) | (r.visits() == 0 ? FINISH : ARRIVE));
                    generated++;
                    lastArrival = t;
                    if (generated < requests) heap.push(t + Math.max(1, Math.round(rng.exponential(meanGapNs))), GEN);
                }
                case ARRIVE -> {
                    int st = station(slot);
                    if (busy[st] < workers(st)) {
                        busy[st]++;
                        startService(heap, rng, st, slot, t);
                    } else {
                        next[slot] = -1;
                        if (queueTail[st] < 0) queueHead[st] = slot;
                        else next[queueTail[st]] = slot;
                        queueTail[st] = slot;
                    }
                }
                case DONE -> {
                    int st = station(slot);
                    int waiting = queueHead[st];
                    if (waiting >= 0) {
                        queueHead[st] = next[waiting];
                        if (queueHead[st] < 0) queueTail[st] = -1;
                        startService(heap, rng, st, waiting, t);
                    } else {
                        busy[st]--;
                    }
                    int k = ++step[slot];
                    Route r = routes[route[slot]];
                    heap.push(t + r.delaysNs()[k], (slot << 2) | (k < r.visits() ? ARRIVE : FINISH));
                }
                case FINISH -> {
                    inFlight--;
                    finished++;
                    if (measured[slot]) {
                        long lat = t - start[slot];
                        hist.record(lat);
                        latencySum += lat;
                        latencyCount++;
                        if (route[slot] >= RouteBuilder.index(true, false)) crossNodeCount++;
                    }
                    if (t >= windowStart && (windowEnd == 0 || t <= windowEnd) && generated > warmup)
                        finishedInWindow++;
                    release(slot);
                    if ((finished & 0xFFFF) == 0) progress.progress(doneBefore + finished, planTotal, label);
                }
                default -> throw new IllegalStateException("unknown event type " + type);
            }
        }
        progress.progress(doneBefore + finished, planTotal, label);

        double windowNs = Math.max(1, windowEnd - windowStart);
        double littleL = (areaAtEnd - areaAtStart) / windowNs;
        double lambdaPerNs = (lastMeasured - warmup) / windowNs;
        double meanNs = latencyCount == 0 ? 0 : latencySum / latencyCount;
        // Rates are per second of offered load (the arrival span): work that queued up and drained after the last
        // arrival was offered during it, so a saturated proxy shows a utilization above 1.
        double loadNs = Math.max(1, lastArrival);
        return new LoadPoint(
                model,
                rps,
                latencyCount,
                finishedInWindow / windowNs * 1e9,
                hist.quantile(0.5) / 1000,
                hist.quantile(0.99) / 1000,
                meanNs / 1000,
                littleL,
                lambdaPerNs * meanNs,
                maxUtilization(loadNs),
                maxNodeVcpu(loadNs),
                busiest(loadNs),
                now / 1e9,
                latencyCount == 0 ? 0 : (double) crossNodeCount / latencyCount);
    }

    private void startService(EventHeap heap, Rng rng, int st, int slot, long t) {
        double mean = routes[route[slot]].serviceNs()[step[slot]];
        // Shifted exponential: mean `mean`, standard deviation cv × mean.
        long s = Math.max(1, Math.round(mean * (1 - cv) + (cv > 0 ? rng.exponential(mean * cv) : 0)));
        busyNs[st] += s;
        visits[st]++;
        heap.push(t + s, (slot << 2) | DONE);
    }

    private int station(int slot) {
        int role = routes[route[slot]].roles()[step[slot]];
        return switch (role) {
            case Route.SRC_SIDECAR -> src[slot];
            case Route.DST_SIDECAR -> dst[slot];
            case Route.SRC_NODE -> pods + src[slot] % nodes;
            default -> pods + dst[slot] % nodes;
        };
    }

    private int workers(int st) {
        return st < pods ? sidecarWorkers : nodeWorkers;
    }

    private void pickPair(int s, Rng rng) {
        int client;
        int server;
        if (traffic == TrafficPattern.PAIR) {
            client = 0;
            server = 1; // pod 1 is on node 1 under the even spread (node 0 if only one node)
        } else {
            client = rng.nextInt(pods);
            int clientService = client / pps;
            int serverService = rng.nextInt(shape.services() - 1);
            if (serverService >= clientService) serverService++;
            server = serverService * pps + pickReplica(serverService, client % nodes, rng);
        }
        src[s] = client;
        dst[s] = server;
        boolean l7 = server / pps < l7Services;
        route[s] = RouteBuilder.index(client % nodes != server % nodes, l7);
    }

    /**
     * A replica of {@code service}: a random one, or with node preference a random one of those on {@code node} (pod
     * {@code i} runs on node {@code i mod nodes}, so they are every {@code nodes}-th from the first one there), and a
     * random one when it has none there.
     */
    private int pickReplica(int service, int node, Rng rng) {
        if (preferNode) {
            int first = Math.floorMod(node - service * pps, nodes);
            if (first < pps) return first + nodes * rng.nextInt((pps - 1 - first) / nodes + 1);
        }
        return rng.nextInt(pps);
    }

    private int allocate() {
        if (freeHead >= 0) {
            int s = freeHead;
            freeHead = next[s];
            return s;
        }
        if (slotsUsed == start.length) grow();
        return slotsUsed++;
    }

    private void release(int s) {
        next[s] = freeHead;
        freeHead = s;
    }

    private void grow() {
        int n = start.length * 2;
        if (n > (Integer.MAX_VALUE >>> 2))
            throw new IllegalStateException("more than " + (n / 2) + " requests in flight");
        start = Arrays.copyOf(start, n);
        step = Arrays.copyOf(step, n);
        route = Arrays.copyOf(route, n);
        src = Arrays.copyOf(src, n);
        dst = Arrays.copyOf(dst, n);
        next = Arrays.copyOf(next, n);
        measured = Arrays.copyOf(measured, n);
    }

    private double maxUtilization(double simNs) {
        double max = 0;
        for (int st = 0; st < busyNs.length; st++) max = Math.max(max, busyNs[st] / (workers(st) * simNs));
        return max;
    }

    private double maxNodeVcpu(double simNs) {
        double[] perNode = new double[nodes];
        for (int st = 0; st < busyNs.length; st++) perNode[nodeOf(st)] += busyNs[st];
        double max = 0;
        for (double v : perNode) max = Math.max(max, v / simNs);
        return max;
    }

    private int nodeOf(int st) {
        return st < pods ? st % nodes : st - pods;
    }

    private List<ProxyUsage> busiest(double simNs) {
        List<Integer> best = new ArrayList<>();
        for (int st = 0; st < busyNs.length; st++) {
            if (busyNs[st] == 0) continue;
            best.add(st);
            if (best.size() > 64) {
                best.sort((a, b) -> Long.compare(busyNs[b], busyNs[a]));
                best.subList(5, best.size()).clear();
            }
        }
        best.sort((a, b) -> Long.compare(busyNs[b], busyNs[a]));
        List<ProxyUsage> out = new ArrayList<>();
        for (int st : best.subList(0, Math.min(5, best.size()))) {
            boolean sidecar = st < pods;
            double mem = sidecar
                    ? params.sidecar().memory().mb(shape.services(), shape.pods())
                    : Footprints.nodeProxyMemoryMb(shape, model, params);
            out.add(new ProxyUsage(
                    sidecar ? "sidecar" : "node-proxy",
                    nodeOf(st),
                    busyNs[st] / simNs,
                    visits[st] / 2.0 / simNs * 1e9,
                    mem));
        }
        return out;
    }
}
