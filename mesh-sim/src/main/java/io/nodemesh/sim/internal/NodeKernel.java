package io.nodemesh.sim.internal;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.lb.ClosestEndpoints;
import io.nodemesh.api.lb.SocketLbKey;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.DatagramResult;
import io.nodemesh.sim.SendResult;
import io.nodemesh.sim.SimConnection;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node's simulated kernel. Its hooks are the eBPF backend's, in the same order:
 * <ol>
 *   <li>connect (cgroup/connect4): a VIP:port is translated to a ready backend and its target port — affinity first,
 *       then the service's load balancing; the client keeps seeing the VIP (getpeername/recvmsg reverse translation);</li>
 *   <li>identity policy ({@link MeshIndex#allows}) on the translated connection;</li>
 *   <li>sockops: a connection between two sockets of this node is marked for redirect;</li>
 *   <li>sk_msg on every send: redirected bytes skip the stack, and policy is re-checked once the state has changed
 *       since the connection was last checked, so a new deny cuts an open connection off.</li>
 * </ol>
 * Only READY endpoints get new connections; connections already open to a TERMINATING or removed endpoint keep working,
 * as sockets connected to a backend address do. Not thread-safe: the dataplane serialises calls.
 */
public final class NodeKernel {
    /** Linux's default ephemeral port range ({@code net.ipv4.ip_local_port_range}). */
    private static final int FIRST_EPHEMERAL = 32768;

    private static final int LAST_EPHEMERAL = 60999;

    private final String node;
    private final FlowHub hub;
    private final BackendPicker picker;
    private final AffinityTable affinity = new AffinityTable();
    private final Map<String, Integer> nextPort = new HashMap<>();
    private final Map<Long, OpenConnection> sockets = new LinkedHashMap<>();
    private final UdpHooks udp = new UdpHooks(this);
    private final NodeProxy proxy = new NodeProxy(this);
    private final EndpointHealth health;

    /** A resolved client socket's owner: its address, its workload ({@code namespace/name}, empty for host) and identity. */
    public record ClientEnd(String ip, String workload, String identity) {}

    public NodeKernel(String node, long seed, FlowHub hub, EndpointHealth health) {
        this.node = node;
        this.hub = hub;
        this.picker = new BackendPicker(seed);
        this.health = health;
    }

    /**
     * The ready endpoints of {@code service} that health checks and outlier detection leave in rotation now, narrowed
     * to the closest ones by the service's {@link io.nodemesh.api.state.Locality} as seen from this node.
     */
    List<Endpoint> selectable(Snapshot s, Service service, Instant now) {
        return ClosestEndpoints.of(
                s.index(), service, health.selectable(service, s.readyEndpoints(service), now), node);
    }

    EndpointHealth health() {
        return health;
    }

    public String node() {
        return node;
    }

    /** The node's proxy, which routes requests to its L7 services. */
    public NodeProxy proxy() {
        return proxy;
    }

    /** sendmsg4 on an unconnected UDP socket (a new one, so a new source port) of {@code client}. */
    public DatagramResult sendDatagram(Snapshot s, Instant now, ClientEnd client, String ip, int port, long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("cannot send " + bytes + " bytes");
        return udp.sendTo(s, now, client, ip, port, bytes);
    }

    /** connect4 on a UDP socket: translated now, re-translated on a later send if its backend is removed. */
    public OpenUdpSocket connectUdp(Snapshot s, Instant now, ClientEnd client, String ip, int port, long id) {
        return udp.connect(s, now, client, ip, port, id);
    }

    public DatagramResult sendUdp(Snapshot s, Instant now, OpenUdpSocket socket, long bytes) {
        return udp.send(s, now, socket, bytes);
    }

    public boolean closeUdp(Instant now, OpenUdpSocket socket) {
        return udp.close(now, socket);
    }

    /** A new socket of {@code client}'s, with the next ephemeral port of its address. */
    FlowPeer clientPeer(ClientEnd client) {
        return new FlowPeer(client.ip(), ephemeralPort(client.ip()), client.workload(), client.identity());
    }

    public Optional<OpenConnection> socket(long id) {
        return Optional.ofNullable(sockets.get(id));
    }

    public int openSockets() {
        return sockets.size();
    }

    public ConnectResult connect(Snapshot s, Instant now, ClientEnd client, String ip, int port, long id) {
        FlowPeer src = new FlowPeer(client.ip(), ephemeralPort(client.ip()), client.workload(), client.identity());
        MeshIndex index = s.index();
        Optional<Service> byVip = s.serviceByVip(ip, port, Protocol.TCP);
        if (byVip.isPresent()) return connectToService(s, now, src, byVip.get(), ip, port, id);

        Optional<Workload> direct = index.workloadByIp(ip);
        if (direct.isPresent()) {
            Workload w = direct.get();
            FlowPeer dst = new FlowPeer(ip, port, w.key(), w.identity());
            return admit(s, now, id, src, dst, dst, "", false, Optional.of(w));
        }
        FlowPeer dst = new FlowPeer(ip, port, "", "");
        Optional<Service> otherPort = index.state().services().stream()
                .filter(svc -> svc.vips().stream().anyMatch(v -> sameIp(v, ip)))
                .findFirst();
        String reason = otherPort
                .map(svc -> "service " + svc.key() + " exposes no TCP port " + port)
                .orElse("no service VIP or workload has address " + ip + " in the simulated mesh");
        publish(
                now,
                FlowEvent.Type.DROP,
                src,
                dst,
                otherPort.map(Service::key).orElse(""),
                null,
                Verdict.NO_BACKEND,
                FlowPath.NONE,
                0);
        return new ConnectResult.Refused(Verdict.NO_BACKEND, reason);
    }

    private ConnectResult connectToService(
            Snapshot s, Instant now, FlowPeer src, Service service, String vip, int port, long id) {
        MeshIndex index = s.index();
        FlowPeer dst = new FlowPeer(vip, port, "", "");
        List<Endpoint> ready = selectable(s, service, now);
        if (ready.isEmpty()) {
            publish(now, FlowEvent.Type.DROP, src, dst, service.key(), null, Verdict.NO_BACKEND, FlowPath.NONE, 0);
            return new ConnectResult.Refused(
                    Verdict.NO_BACKEND,
                    "service " + service.key() + " has no ready endpoint"
                            + (service.locality() == io.nodemesh.api.state.Locality.NODE_ONLY
                                    ? " on node " + node + " (its locality is NODE_ONLY)"
                                    : ready == s.readyEndpoints(service)
                                            ? ""
                                            : " in rotation (the others failed health)"));
        }
        Optional<String> overflow = overflow(service);
        if (overflow.isPresent()) {
            publish(now, FlowEvent.Type.DROP, src, dst, service.key(), null, Verdict.OVERFLOW, FlowPath.NONE, 0);
            return new ConnectResult.Refused(Verdict.OVERFLOW, overflow.get());
        }
        Endpoint chosen = pick(s, now, service, ready, src, dst);
        int targetPort = targetPort(service, port, Protocol.TCP);
        Optional<Workload> backendWorkload = workloadOf(index, chosen);
        FlowPeer backend = backendPeer(index, chosen, targetPort);
        ConnectResult result = admit(s, now, id, src, dst, backend, service.key(), service.l7(), backendWorkload);
        if (result.connected() && health.condition(chosen.ip()) == io.nodemesh.sim.BackendCondition.DOWN) {
            // Policy let it through, but nobody answers: the socket never opens.
            sockets.remove(id);
            if (service.l7()) health.connectFailed(s, service, chosen.ip(), now);
            publish(
                    now,
                    FlowEvent.Type.DROP,
                    src,
                    dst,
                    service.key(),
                    backend,
                    Verdict.BACKEND_FAILED,
                    FlowPath.NONE,
                    0);
            return new ConnectResult.Refused(
                    Verdict.BACKEND_FAILED,
                    "backend " + chosen.ip() + ":" + targetPort + " of " + service.key() + " is down");
        }
        if (result.connected()) {
            remember(s, now, service, src, dst, chosen);
            if (service.l7()) health.connected(service, chosen.ip());
        }
        return result;
    }

    /**
     * A circuit breaker's refusal: the node proxy of an L7 service already holds {@code maxConnections} connections to
     * it from this node. L4 connections bypass every proxy, so nothing limits them.
     */
    private Optional<String> overflow(Service service) {
        if (!service.l7() || service.resilience().circuitBreakers().isEmpty()) return Optional.empty();
        int max = service.resilience().circuitBreakers().get().maxConnections();
        long open = sockets.values().stream()
                .filter(c -> c.connection.service().equals(service.key()))
                .count();
        return open < max
                ? Optional.empty()
                : Optional.of("circuit breaker: node " + node + " already has " + open + " connections to "
                        + service.key() + " (maxConnections " + max + ")");
    }

    /**
     * The translation step shared by connect4 (TCP, connected UDP) and sendmsg4 (unconnected UDP) for a client that
     * dialled {@code dialled} (a VIP and port): the backend this client used last for the service if affinity holds and
     * it is still ready, else the service's load balancing. Both key the client by {@link SocketLbKey}, as the kernel.
     */
    Endpoint pick(Snapshot s, Instant now, Service service, List<Endpoint> ready, FlowPeer src, FlowPeer dialled) {
        byte[] client = lbClient(s, src);
        if (service.affinity().enabled()) {
            Optional<Endpoint> sticky = affinity.lookup(
                            service.key(),
                            affinityClient(client, dialled),
                            service.affinity().timeout(),
                            now)
                    .flatMap(
                            ip -> ready.stream().filter(e -> sameIp(e.ip(), ip)).findFirst());
            if (sticky.isPresent()) return sticky.get();
        }
        return picker.pick(s, service, ready, client, dialled.ip(), dialled.port());
    }

    /** Records the choice for session affinity once the traffic it was made for went through. */
    void remember(Snapshot s, Instant now, Service service, FlowPeer src, FlowPeer dialled, Endpoint chosen) {
        if (service.affinity().enabled())
            affinity.remember(service.key(), affinityClient(lbClient(s, src), dialled), chosen.ip(), now);
    }

    /**
     * The client address {@link SocketLbKey} keys a socket by: its workload's address; for a host process the address
     * it was given ({@code Source.Host} with an address stands for a process that bound it), or the unspecified address
     * when it runs with the node's default (the kernel's key for a host socket that bound nothing).
     */
    byte[] lbClient(Snapshot s, FlowPeer src) {
        if (src.workload().isEmpty()) {
            boolean nodeDefault = s.index()
                    .node(node)
                    .flatMap(n -> n.addresses().stream().findFirst())
                    .map(a -> sameIp(a, src.ip()))
                    .orElse(true);
            return nodeDefault || !IpAddresses.isValid(src.ip())
                    ? SocketLbKey.unknownClient()
                    : SocketLbKey.address(src.ip());
        }
        return s.index()
                .workload(src.workload())
                .flatMap(w -> SocketLbKey.workloadAddress(w.ips()))
                .map(SocketLbKey::address)
                .orElseGet(SocketLbKey::unknownClient);
    }

    /** The kernel keeps one affinity entry per backend set, i.e. per service and VIP family. */
    private static String affinityClient(byte[] client, FlowPeer dialled) {
        return java.util.HexFormat.of().formatHex(client) + (IpAddresses.isV6(dialled.ip()) ? " v6" : " v4");
    }

    BackendPicker picker() {
        return picker;
    }

    /** The backend port for a VIP port of {@code protocol} (the VIP port itself when the service does not remap it). */
    static int targetPort(Service service, int port, Protocol protocol) {
        return service.ports().stream()
                .filter(p -> p.port() == port && p.protocol() == protocol)
                .mapToInt(ServicePort::targetPort)
                .findFirst()
                .orElse(port);
    }

    static Optional<Workload> workloadOf(MeshIndex index, Endpoint e) {
        return e.workload().isEmpty() ? index.workloadByIp(e.ip()) : index.workload(e.workload());
    }

    /** The flow-event view of a chosen endpoint: address, target port, and the workload and identity behind it. */
    static FlowPeer backendPeer(MeshIndex index, Endpoint chosen, int targetPort) {
        Optional<Workload> w = workloadOf(index, chosen);
        return new FlowPeer(
                chosen.ip(),
                targetPort,
                w.map(Workload::key).orElse(""),
                w.map(Workload::identity).orElse(index.identityOf(chosen.ip())));
    }

    /** Policy, then path; opens the socket when both let it through. */
    private ConnectResult admit(
            Snapshot s,
            Instant now,
            long id,
            FlowPeer src,
            FlowPeer dst,
            FlowPeer backend,
            String service,
            boolean l7,
            Optional<Workload> backendWorkload) {
        MeshIndex index = s.index();
        if (!RequestPolicy.connectionAllows(index, src.identity(), backend.identity(), service, backend.port(), l7)) {
            publish(now, FlowEvent.Type.DROP, src, dst, service, backend, Verdict.DROPPED_POLICY, FlowPath.NONE, 0);
            return new ConnectResult.Refused(Verdict.DROPPED_POLICY, denial(src, backend, service));
        }
        PathChooser.Choice choice = PathChooser.choose(index, node, backendWorkload.map(Workload::node), l7);
        if (choice instanceof PathChooser.Choice.Refuse(String reason)) {
            publish(now, FlowEvent.Type.DROP, src, dst, service, backend, Verdict.DROPPED_POLICY, FlowPath.NONE, 0);
            return new ConnectResult.Refused(Verdict.DROPPED_POLICY, reason);
        }
        FlowPath path = ((PathChooser.Choice.Go) choice).path();
        SimConnection connection = new SimConnection(id, node, src, dst, backend, service, path);
        sockets.put(id, new OpenConnection(connection, this, s.generation()));
        publish(
                now,
                service.isEmpty() ? FlowEvent.Type.CONNECT : FlowEvent.Type.TRANSLATE,
                src,
                dst,
                service,
                backend,
                Verdict.FORWARDED,
                path,
                0);
        return new ConnectResult.Connected(connection);
    }

    public SendResult send(Snapshot s, Instant now, OpenConnection c, long bytes) {
        if (!c.open) throw new IllegalStateException("connection " + c.connection.id() + " is closed");
        if (bytes < 0) throw new IllegalArgumentException("cannot send " + bytes + " bytes");
        SimConnection conn = c.connection;
        if (c.checkedGeneration != s.generation()) {
            SendResult refused = recheck(s, now, c, bytes);
            if (refused != null) return refused;
        }
        c.bytes += bytes;
        if (c.path == FlowPath.SOCKET_REDIRECT) {
            publish(
                    now,
                    FlowEvent.Type.REDIRECT,
                    conn.client(),
                    conn.peer(),
                    conn.service(),
                    conn.backend(),
                    Verdict.FORWARDED,
                    FlowPath.SOCKET_REDIRECT,
                    bytes);
        }
        return new SendResult.Delivered(c.path, bytes);
    }

    /** Checks an open connection against a state applied since its last check; null when it may go on. */
    private SendResult recheck(Snapshot s, Instant now, OpenConnection c, long bytes) {
        MeshIndex index = s.index();
        SimConnection conn = c.connection;
        FlowPeer backend = conn.backend();
        Optional<Workload> backendWorkload = index.workloadByIp(backend.ip());
        if (!backend.workload().isEmpty()
                && backendWorkload
                        .filter(w -> w.key().equals(backend.workload()))
                        .isEmpty()) {
            publish(
                    now,
                    FlowEvent.Type.DROP,
                    conn.client(),
                    conn.peer(),
                    conn.service(),
                    backend,
                    Verdict.NO_BACKEND,
                    FlowPath.NONE,
                    bytes);
            return new SendResult.Dropped(
                    Verdict.NO_BACKEND, "backend workload " + backend.workload() + " no longer exists");
        }
        String sourceIdentity = conn.client().workload().isEmpty()
                ? conn.client().identity()
                : index.workload(conn.client().workload())
                        .map(Workload::identity)
                        .orElse(conn.client().identity());
        String backendIdentity = backendWorkload.map(Workload::identity).orElse(index.identityOf(backend.ip()));
        boolean l7 = !conn.service().isEmpty()
                && index.service(conn.service()).map(Service::l7).orElse(false);
        if (!RequestPolicy.connectionAllows(
                index, sourceIdentity, backendIdentity, conn.service(), backend.port(), l7)) {
            publish(
                    now,
                    FlowEvent.Type.DROP,
                    conn.client(),
                    conn.peer(),
                    conn.service(),
                    backend,
                    Verdict.DROPPED_POLICY,
                    FlowPath.NONE,
                    bytes);
            return new SendResult.Dropped(Verdict.DROPPED_POLICY, denial(conn.client(), backend, conn.service()));
        }
        PathChooser.Choice choice = PathChooser.choose(index, node, backendWorkload.map(Workload::node), l7);
        if (choice instanceof PathChooser.Choice.Refuse(String reason)) {
            publish(
                    now,
                    FlowEvent.Type.DROP,
                    conn.client(),
                    conn.peer(),
                    conn.service(),
                    backend,
                    Verdict.DROPPED_POLICY,
                    FlowPath.NONE,
                    bytes);
            return new SendResult.Dropped(Verdict.DROPPED_POLICY, reason);
        }
        c.path = ((PathChooser.Choice.Go) choice).path();
        c.checkedGeneration = s.generation();
        return null;
    }

    /** Closes the socket; false if it was already closed. */
    public boolean close(Instant now, OpenConnection c) {
        if (!c.open) return false;
        c.open = false;
        sockets.remove(c.connection.id());
        SimConnection conn = c.connection;
        publish(
                now,
                FlowEvent.Type.CLOSE,
                conn.client(),
                conn.peer(),
                conn.service(),
                conn.backend(),
                Verdict.FORWARDED,
                c.path,
                c.bytes);
        return true;
    }

    int ephemeralPort(String ip) {
        int port = nextPort.getOrDefault(ip, FIRST_EPHEMERAL);
        nextPort.put(ip, port == LAST_EPHEMERAL ? FIRST_EPHEMERAL : port + 1);
        return port;
    }

    void publish(
            Instant now,
            FlowEvent.Type type,
            FlowPeer src,
            FlowPeer dst,
            String service,
            FlowPeer backend,
            Verdict verdict,
            FlowPath path,
            long bytes) {
        hub.publish(new FlowEvent(now, node, type, src, dst, service, backend, verdict, path, bytes));
    }

    static String denial(FlowPeer src, FlowPeer backend, String service) {
        return "policy denies " + src.identity() + " -> "
                + (backend.identity().isEmpty() ? backend.ip() : backend.identity()) + " port " + backend.port()
                + (service.isEmpty() ? "" : " (service " + service + ")");
    }

    static boolean sameIp(String a, String b) {
        return io.nodemesh.api.state.IpAddresses.canonical(a).equals(io.nodemesh.api.state.IpAddresses.canonical(b));
    }
}
