package io.nodemesh.sim;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.spi.ApplyPipeline;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.spi.Programmer;
import io.nodemesh.api.spi.StateChange;
import io.nodemesh.api.spi.UndoLog;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import io.nodemesh.sim.internal.EndpointHealth;
import io.nodemesh.sim.internal.NodeKernel;
import io.nodemesh.sim.internal.OpenConnection;
import io.nodemesh.sim.internal.OpenUdpSocket;
import io.nodemesh.sim.internal.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator backend: the reference semantics of nodemesh, in plain Java. Every node of the applied state gets a
 * simulated kernel with the eBPF backend's hooks (see {@link NodeKernel}); traffic is driven through
 * {@link #connect}, {@link #send} and {@link #close(SimConnection)} (TCP), {@link #sendDatagram} and
 * {@link #connectUdp} (UDP) and {@link #request} (HTTP through the node proxy of L7 services), and time moves only when
 * {@link #advance} is called.
 * <p>
 * Deterministic: given the same {@link SimSettings} and the same calls in the same order, it makes the same choices and
 * emits the same flow events (with the same virtual timestamps). Flow events are delivered on the calling thread before
 * the call returns. All methods are thread-safe (they serialise on the dataplane).
 */
public final class SimulatedDataplane implements MeshDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDataplane.class);
    static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.SOCKET_LB,
            Capability.SOCKET_REDIRECT,
            Capability.L4_POLICY,
            Capability.L7_ROUTING,
            Capability.L7_POLICY,
            Capability.NODE_ENCRYPTION,
            Capability.FLOWS));

    private final SimSettings settings;
    private final FlowHub hub = new FlowHub();
    private final Map<String, NodeKernel> kernels = new HashMap<>();
    private final Map<Long, OpenConnection> connections = new HashMap<>();
    private final Map<Long, OpenUdpSocket> udpSockets = new HashMap<>();
    private final ApplyPipeline pipeline = new ApplyPipeline("sim", new SnapshotProgrammer());
    private volatile Snapshot snapshot;
    private final EndpointHealth health;
    private Instant now;
    private long nextConnectionId = 1;
    private boolean closed;

    public SimulatedDataplane(SimSettings settings) {
        this.settings = settings;
        this.snapshot = new Snapshot(MeshState.EMPTY, 0, settings.maglevTableSize());
        this.now = settings.start();
        this.health = new EndpointHealth(settings.start());
    }

    /** Opens a simulator with the {@code sim.*} properties of {@code options} (see {@link SimSettings}). */
    public static SimulatedDataplane open(DataplaneOptions options) {
        return new SimulatedDataplane(SimSettings.from(options));
    }

    public static SimulatedDataplane seeded(long seed) {
        return new SimulatedDataplane(SimSettings.seeded(seed));
    }

    @Override
    public String name() {
        return "sim";
    }

    public SimSettings settings() {
        return settings;
    }

    @Override
    public synchronized ApplyResult apply(MeshState next) {
        ensureOpen();
        return pipeline.apply(next);
    }

    /**
     * The simulator's part of the apply pipeline: the candidate snapshot is derived while checking (its limits need it),
     * and committing it is publishing it — nothing can fail in between, so no half state is ever visible.
     */
    private final class SnapshotProgrammer implements Programmer {
        private Snapshot candidate;

        @Override
        public List<Violation> check(StateChange change) {
            candidate = Snapshot.after(snapshot, change.next(), change.generation(), change.index());
            return simulatorViolations(candidate);
        }

        @Override
        public void program(StateChange change, UndoLog undo) {
            // Programming the simulator is the commit below.
        }

        @Override
        public void committed(StateChange change) {
            snapshot = candidate;
            health.retain(candidate);
            candidate = null;
            LOG.debug("sim applied generation {}: {}", change.generation(), change.changes());
        }
    }

    /**
     * Limits of this backend beyond the general rules: a Maglev service must fit its ready endpoints in the table.
     * Only services the candidate derived afresh can newly break it; the others passed when they were applied.
     */
    private List<Violation> simulatorViolations(Snapshot candidate) {
        List<Violation> found = new ArrayList<>();
        for (Service s : candidate.rederived()) {
            if (s.loadBalancing() != LoadBalancing.MAGLEV) continue;
            int ready = candidate.readyEndpoints(s).size();
            if (ready > settings.maglevTableSize()) {
                found.add(new Violation(
                        "services[" + s.key() + "].endpoints",
                        ready + " ready endpoints exceed the Maglev table size " + settings.maglevTableSize()
                                + " (raise option " + SimSettings.MAGLEV_TABLE_SIZE.key() + ")"));
            }
        }
        return found;
    }

    @Override
    public MeshState state() {
        return snapshot.state();
    }

    /** How many applies have changed something. */
    public long generation() {
        return snapshot.generation();
    }

    @Override
    public Flows flows() {
        return hub;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** The simulator has no tables that fill and no peers: always healthy. */
    @Override
    public List<BackendHealth> health() {
        return List.of(BackendHealth.nothingToReport(name()));
    }

    /** What the simulator models, whatever the options. */
    public static Set<Capability> capabilities(DataplaneOptions options) {
        return CAPABILITIES;
    }

    /** The virtual clock. */
    public synchronized Instant now() {
        return now;
    }

    /** Moves the virtual clock forward (session affinity expires by it; flow events are stamped with it). */
    public synchronized void advance(Duration by) {
        if (by.isNegative())
            throw new IllegalArgumentException("the virtual clock cannot go back (advance by " + by + ")");
        Instant to = now.plus(by);
        health.advance(snapshot, now, to);
        now = to;
    }

    /**
     * Makes the backend process at {@code ip} {@link BackendCondition#DOWN down}, answer with
     * {@link BackendCondition#SERVER_ERRORS errors}, or {@link BackendCondition#UP up} again. The state is not touched:
     * what changes is what connections, requests and the health checks of services with
     * {@link io.nodemesh.api.state.Resilience} find there. Without resilience, a dead backend keeps being picked.
     */
    public synchronized void setCondition(String ip, BackendCondition condition) {
        if (!IpAddresses.isValid(ip)) throw new IllegalArgumentException("'" + ip + "' is not an IP address");
        health.setCondition(ip, condition);
    }

    /**
     * Whether service {@code serviceKey} would pick its endpoint {@code ip} for a new connection now: false once its
     * health check or outlier detection has taken it out of rotation.
     */
    public synchronized boolean inRotation(String serviceKey, String ip) {
        Service service = snapshot.index()
                .service(serviceKey)
                .orElseThrow(
                        () -> new IllegalArgumentException("no service '" + serviceKey + "' in the applied state"));
        return health.usable(service, ip, now);
    }

    /**
     * Opens a TCP connection from {@code source} to {@code ip:port}: a service VIP (translated to a backend) or a
     * workload's own address.
     *
     * @throws IllegalArgumentException if the source names a workload or node that is not in the applied state
     */
    public synchronized ConnectResult connect(Source source, String ip, int port) {
        ensureOpen();
        checkAddress(ip, port);
        Snapshot s = snapshot;
        Origin from = origin(s, source, ip);
        long id = nextConnectionId++;
        ConnectResult result = from.kernel().connect(s, now, from.client(), ip, port, id);
        if (result instanceof ConnectResult.Connected(SimConnection c)) {
            connections.put(c.id(), from.kernel().socket(c.id()).orElseThrow());
        }
        return result;
    }

    /**
     * Sends one UDP datagram of {@code bytes} from a new unconnected socket of {@code source} to {@code ip:port}: a
     * service's UDP VIP (translated for this datagram) or a workload's address.
     *
     * @throws IllegalArgumentException if the source names a workload or node that is not in the applied state
     */
    public synchronized DatagramResult sendDatagram(Source source, String ip, int port, long bytes) {
        ensureOpen();
        checkAddress(ip, port);
        Snapshot s = snapshot;
        Origin from = origin(s, source, ip);
        return from.kernel().sendDatagram(s, now, from.client(), ip, port, bytes);
    }

    /**
     * Connects a UDP socket of {@code source} to {@code ip:port}. A UDP VIP is translated now and the socket keeps that
     * backend while it exists; after it is removed, the next send translates again. Never refused: UDP connect sends
     * nothing, so policy and missing backends show on {@link #send(UdpSocket, long)}.
     */
    public synchronized UdpSocket connectUdp(Source source, String ip, int port) {
        ensureOpen();
        checkAddress(ip, port);
        Snapshot s = snapshot;
        Origin from = origin(s, source, ip);
        OpenUdpSocket o = from.kernel().connectUdp(s, now, from.client(), ip, port, nextConnectionId++);
        udpSockets.put(o.socket().id(), o);
        return o.socket();
    }

    /** Sends a datagram of {@code bytes} on a connected UDP socket. */
    public synchronized DatagramResult send(UdpSocket socket, long bytes) {
        ensureOpen();
        OpenUdpSocket o = udpSockets.get(socket.id());
        if (o == null) throw new IllegalStateException("UDP socket " + socket.id() + " is not open");
        return o.kernel().sendUdp(snapshot, now, o, bytes);
    }

    /** Closes a UDP socket; false if it was already closed. */
    public synchronized boolean close(UdpSocket socket) {
        OpenUdpSocket o = udpSockets.remove(socket.id());
        return o != null && o.kernel().closeUdp(now, o);
    }

    /**
     * Sends one HTTP request from {@code source} to an L7 service's VIP {@code ip:port} through the source node's proxy,
     * which routes it by the service's {@code HttpRoute}s and checks L7 policy (see {@link RequestResult}).
     *
     * @throws IllegalArgumentException if {@code ip:port} is not a TCP port of a service marked {@code l7}, or the source
     *                                  is not in the applied state
     */
    public synchronized RequestResult request(Source source, String ip, int port, HttpRequest request) {
        ensureOpen();
        checkAddress(ip, port);
        Snapshot s = snapshot;
        Origin from = origin(s, source, ip);
        return from.kernel().proxy().handle(s, now, from.client(), ip, port, request);
    }

    /** The kernel of the node a source runs on, and the source as that kernel sees it. */
    private record Origin(NodeKernel kernel, NodeKernel.ClientEnd client) {}

    private Origin origin(Snapshot s, Source source, String destination) {
        MeshIndex index = s.index();
        return switch (source) {
            case Source.Pod(String key) -> {
                Workload w = index.workload(key)
                        .orElseThrow(
                                () -> new IllegalArgumentException("no workload '" + key + "' in the applied state"));
                yield new Origin(
                        kernel(w.node()), new NodeKernel.ClientEnd(sourceIp(w, destination), w.key(), w.identity()));
            }
            case Source.Host(String nodeName, String hostIp) -> {
                Node n = index.node(nodeName)
                        .orElseThrow(
                                () -> new IllegalArgumentException("no node '" + nodeName + "' in the applied state"));
                String from = hostIp.isEmpty()
                        ? n.addresses().stream()
                                .findFirst()
                                .orElseThrow(() -> new IllegalArgumentException(
                                        "node " + nodeName + " has no address; give the host process one"))
                        : hostIp;
                yield new Origin(kernel(n.name()), new NodeKernel.ClientEnd(from, "", Identities.HOST));
            }
        };
    }

    private NodeKernel kernel(String node) {
        return kernels.computeIfAbsent(node, this::newKernel);
    }

    private static void checkAddress(String ip, int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        if (!IpAddresses.isValid(ip)) throw new IllegalArgumentException("'" + ip + "' is not an IP address");
    }

    /** Sends {@code bytes} on an open connection. */
    public synchronized SendResult send(SimConnection connection, long bytes) {
        ensureOpen();
        OpenConnection c = open(connection);
        return c.kernel().send(snapshot, now, c, bytes);
    }

    /** Closes a connection; false if it was already closed. */
    public synchronized boolean close(SimConnection connection) {
        OpenConnection c = connections.remove(connection.id());
        return c != null && c.kernel().close(now, c);
    }

    /** Connections open now. */
    public synchronized int openConnections() {
        return connections.size();
    }

    /** Ends the simulation: open connections are closed (with their close events) and further calls fail. */
    @Override
    public synchronized void close() {
        if (closed) return;
        for (OpenConnection c : List.copyOf(connections.values())) c.kernel().close(now, c);
        connections.clear();
        for (OpenUdpSocket o : List.copyOf(udpSockets.values())) o.kernel().closeUdp(now, o);
        udpSockets.clear();
        closed = true;
    }

    private OpenConnection open(SimConnection connection) {
        OpenConnection c = connections.get(connection.id());
        if (c == null) throw new IllegalStateException("connection " + connection.id() + " is not open");
        return c;
    }

    private NodeKernel newKernel(String node) {
        // Each node's random choices come from its own stream, so traffic on one node never shifts another's choices.
        return new NodeKernel(node, settings.seed() ^ Maglev.fnv1a64(node, 0xcbf29ce484222325L), hub, health);
    }

    /** The workload's address of the destination's family, so a v6 VIP is dialled from the pod's v6 address. */
    private static String sourceIp(Workload w, String destination) {
        if (w.ips().size() == 1) return w.ips().getFirst();
        boolean v6 = IpAddresses.isV6(destination);
        return w.ips().stream()
                .filter(a -> IpAddresses.isV6(a) == v6)
                .findFirst()
                .orElse(w.ips().getFirst());
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("the simulated dataplane is closed");
    }
}
