package io.nodemesh.sim.internal;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.sim.DatagramResult;
import io.nodemesh.sim.UdpSocket;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One node kernel's UDP hooks, the eBPF backend's {@code cgroup/sendmsg4}, {@code connect4} (on UDP sockets) and
 * {@code recvmsg4}:
 * <ul>
 *   <li>an unconnected send to a VIP is translated per datagram (affinity first, then the service's load balancing);</li>
 *   <li>a connected socket is translated at connect and keeps that backend while it is still an endpoint of the service
 *       (ready or terminating) and its workload exists; once it is removed the next send translates again, so a socket
 *       never stays pinned to a backend that is gone;</li>
 *   <li>replies come from the VIP (recvmsg reverse translation), so {@link DatagramResult.Delivered#replyFrom()} is
 *       what the client dialled;</li>
 *   <li>identity policy and strict encryption are checked on every datagram (UDP has no handshake to check once).</li>
 * </ul>
 * Each datagram gives one flow event: {@code TRANSLATE} (via a VIP) or {@code CONNECT} (direct) with its bytes, or
 * {@code DROP}; closing a connected socket gives {@code CLOSE} with its total. UDP never takes the socket redirect
 * (sockops/sk_msg are TCP-only) nor the node proxy (validation keeps UDP ports off L7 services).
 */
final class UdpHooks {
    private final NodeKernel kernel;

    UdpHooks(NodeKernel kernel) {
        this.kernel = kernel;
    }

    /** Where a destination address leads. */
    private sealed interface Target {
        record ViaService(Service service) implements Target {}

        record Direct(FlowPeer peer, Optional<Workload> workload) implements Target {}

        record Nowhere(String service, String reason) implements Target {}
    }

    DatagramResult sendTo(Snapshot s, Instant now, NodeKernel.ClientEnd client, String ip, int port, long bytes) {
        FlowPeer src = kernel.clientPeer(client);
        FlowPeer dst = new FlowPeer(ip, port, "", "");
        return switch (resolve(s, ip, port)) {
            case Target.ViaService(Service service) -> {
                List<Endpoint> ready = kernel.selectable(s, service, now);
                if (ready.isEmpty())
                    yield noBackend(
                            now, src, dst, service.key(), bytes, "service " + service.key() + " has no ready endpoint");
                Endpoint chosen = kernel.pick(s, now, service, ready, src, dst);
                DatagramResult r = deliver(s, now, src, dst, service, chosen, bytes, false);
                if (r.delivered()) kernel.remember(s, now, service, src, dst, chosen);
                yield r;
            }
            case Target.Direct(FlowPeer peer, Optional<Workload> w) -> deliverDirect(s, now, src, dst, peer, w, bytes);
            case Target.Nowhere(String service, String reason) -> noBackend(now, src, dst, service, bytes, reason);
        };
    }

    OpenUdpSocket connect(Snapshot s, Instant now, NodeKernel.ClientEnd client, String ip, int port, long id) {
        FlowPeer src = kernel.clientPeer(client);
        Target target = resolve(s, ip, port);
        String service = target instanceof Target.ViaService(Service svc) ? svc.key() : "";
        OpenUdpSocket o = new OpenUdpSocket(
                new UdpSocket(id, kernel.node(), src, new FlowPeer(ip, port, "", ""), service), kernel);
        // connect4 translates once; nothing is sent yet, so there is no flow event and no policy verdict until a send.
        if (target instanceof Target.ViaService(Service svc)) {
            List<Endpoint> ready = kernel.selectable(s, svc, now);
            if (!ready.isEmpty()) o.backend = kernel.pick(s, now, svc, ready, src, o.socket.peer());
        }
        return o;
    }

    DatagramResult send(Snapshot s, Instant now, OpenUdpSocket o, long bytes) {
        if (!o.open) throw new IllegalStateException("UDP socket " + o.socket.id() + " is closed");
        if (bytes < 0) throw new IllegalArgumentException("cannot send " + bytes + " bytes");
        UdpSocket socket = o.socket;
        FlowPeer src = currentClient(s.index(), socket.client());
        FlowPeer dst = socket.peer();
        DatagramResult r;
        if (socket.service().isEmpty()) {
            r = switch (resolve(s, dst.ip(), dst.port())) {
                case Target.Direct(FlowPeer peer, Optional<Workload> w) ->
                    deliverDirect(s, now, src, dst, peer, w, bytes);
                // A VIP that appeared since connect does not retarget a socket connected to a plain address.
                case Target.ViaService v -> noBackend(now, src, dst, "", bytes, "no workload has address " + dst.ip());
                case Target.Nowhere(String service, String reason) -> noBackend(now, src, dst, service, bytes, reason);
            };
        } else {
            Optional<Service> service = s.serviceByVip(dst.ip(), dst.port(), Protocol.UDP)
                    .filter(v -> v.key().equals(socket.service()));
            if (service.isEmpty()) {
                o.backend = null;
                r = noBackend(
                        now,
                        src,
                        dst,
                        socket.service(),
                        bytes,
                        "service " + socket.service() + " no longer has UDP " + dst.ip() + ":" + dst.port());
            } else {
                r = sendViaService(s, now, o, service.get(), src, dst, bytes);
            }
        }
        if (r instanceof DatagramResult.Delivered d) {
            o.bytes += d.bytes();
            o.lastBackend = d.backend();
            o.lastPath = d.path();
        }
        return r;
    }

    private DatagramResult sendViaService(
            Snapshot s, Instant now, OpenUdpSocket o, Service service, FlowPeer src, FlowPeer dst, long bytes) {
        boolean retranslated = false;
        if (o.backend == null || !stillThere(s, service, o.backend)) {
            List<Endpoint> ready = kernel.selectable(s, service, now);
            boolean hadOne = o.backend != null;
            o.backend = null;
            if (ready.isEmpty())
                return noBackend(
                        now, src, dst, service.key(), bytes, "service " + service.key() + " has no ready endpoint");
            o.backend = kernel.pick(s, now, service, ready, src, dst);
            retranslated = hadOne;
        }
        DatagramResult r = deliver(s, now, src, dst, service, o.backend, bytes, retranslated);
        if (r.delivered()) kernel.remember(s, now, service, src, dst, o.backend);
        return r;
    }

    boolean close(Instant now, OpenUdpSocket o) {
        if (!o.open) return false;
        o.open = false;
        UdpSocket socket = o.socket;
        kernel.publish(
                now,
                FlowEvent.Type.CLOSE,
                socket.client(),
                socket.peer(),
                socket.service(),
                o.lastBackend,
                Verdict.FORWARDED,
                o.lastPath,
                o.bytes);
        return true;
    }

    /** A connected socket keeps its backend while the service still lists it (in any state) and its workload exists. */
    private static boolean stillThere(Snapshot s, Service service, Endpoint backend) {
        String ip = IpAddresses.canonical(backend.ip());
        boolean listed = s.endpoints(service).stream()
                .anyMatch(e -> IpAddresses.canonical(e.ip()).equals(ip));
        return listed
                && (backend.workload().isEmpty()
                        || s.index().workload(backend.workload()).isPresent());
    }

    private Target resolve(Snapshot s, String ip, int port) {
        Optional<Service> byVip = s.serviceByVip(ip, port, Protocol.UDP);
        if (byVip.isPresent()) return new Target.ViaService(byVip.get());
        MeshIndex index = s.index();
        Optional<Workload> direct = index.workloadByIp(ip);
        if (direct.isPresent()) {
            Workload w = direct.get();
            return new Target.Direct(new FlowPeer(ip, port, w.key(), w.identity()), direct);
        }
        String canonical = IpAddresses.canonical(ip);
        Optional<Service> otherPort = index.state().services().stream()
                .filter(svc -> svc.vips().stream()
                        .anyMatch(v -> IpAddresses.canonical(v).equals(canonical)))
                .findFirst();
        return otherPort
                .<Target>map(
                        svc -> new Target.Nowhere(svc.key(), "service " + svc.key() + " exposes no UDP port " + port))
                .orElse(new Target.Nowhere(
                        "", "no service VIP or workload has address " + ip + " in the simulated mesh"));
    }

    private DatagramResult deliver(
            Snapshot s,
            Instant now,
            FlowPeer src,
            FlowPeer dst,
            Service service,
            Endpoint chosen,
            long bytes,
            boolean retranslated) {
        MeshIndex index = s.index();
        FlowPeer backend =
                NodeKernel.backendPeer(index, chosen, NodeKernel.targetPort(service, dst.port(), Protocol.UDP));
        return admit(
                s, now, src, dst, service.key(), backend, NodeKernel.workloadOf(index, chosen), bytes, retranslated);
    }

    private DatagramResult deliverDirect(
            Snapshot s, Instant now, FlowPeer src, FlowPeer dst, FlowPeer peer, Optional<Workload> w, long bytes) {
        return admit(s, now, src, dst, "", peer, w, bytes, false);
    }

    /** Policy, then path (strict encryption may refuse); one flow event either way. */
    private DatagramResult admit(
            Snapshot s,
            Instant now,
            FlowPeer src,
            FlowPeer dst,
            String service,
            FlowPeer backend,
            Optional<Workload> backendWorkload,
            long bytes,
            boolean retranslated) {
        MeshIndex index = s.index();
        if (!index.allows(src.identity(), backend.identity(), service, backend.port())) {
            kernel.publish(
                    now, FlowEvent.Type.DROP, src, dst, service, backend, Verdict.DROPPED_POLICY, FlowPath.NONE, bytes);
            return new DatagramResult.Dropped(Verdict.DROPPED_POLICY, NodeKernel.denial(src, backend, service));
        }
        PathChooser.Choice choice =
                PathChooser.choose(index, kernel.node(), backendWorkload.map(Workload::node), false);
        if (choice instanceof PathChooser.Choice.Refuse(String reason)) {
            kernel.publish(
                    now, FlowEvent.Type.DROP, src, dst, service, backend, Verdict.DROPPED_POLICY, FlowPath.NONE, bytes);
            return new DatagramResult.Dropped(Verdict.DROPPED_POLICY, reason);
        }
        FlowPath path = ((PathChooser.Choice.Go) choice).path();
        // sockops/sk_msg only see TCP sockets: a same-node datagram still crosses the stack.
        if (path == FlowPath.SOCKET_REDIRECT) path = FlowPath.KERNEL_STACK;
        kernel.publish(
                now,
                service.isEmpty() ? FlowEvent.Type.CONNECT : FlowEvent.Type.TRANSLATE,
                src,
                dst,
                service,
                backend,
                Verdict.FORWARDED,
                path,
                bytes);
        return new DatagramResult.Delivered(backend, dst, path, bytes, retranslated);
    }

    private DatagramResult noBackend(
            Instant now, FlowPeer src, FlowPeer dst, String service, long bytes, String reason) {
        kernel.publish(now, FlowEvent.Type.DROP, src, dst, service, null, Verdict.NO_BACKEND, FlowPath.NONE, bytes);
        return new DatagramResult.Dropped(Verdict.NO_BACKEND, reason);
    }

    /** The client as the current state knows it: a workload's identity may have changed since the socket was made. */
    private static FlowPeer currentClient(MeshIndex index, FlowPeer client) {
        if (client.workload().isEmpty()) return client;
        return index.workload(client.workload())
                .map(w -> new FlowPeer(client.ip(), client.port(), client.workload(), w.identity()))
                .orElse(client);
    }
}
