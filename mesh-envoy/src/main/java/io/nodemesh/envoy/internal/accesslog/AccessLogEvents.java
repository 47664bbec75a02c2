package io.nodemesh.envoy.internal.accesslog;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import io.nodemesh.envoy.internal.translate.Names;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the node Envoy's access-log entries into {@link FlowEvent}s, naming workloads and services with one applied
 * {@link MeshState} (built once per state, on the first entry that needs it).
 * <ul>
 *   <li>source: the downstream remote address (the pod, seen in clear text on its own node), else a host address;</li>
 *   <li>destination: the downstream local address, which the {@code original_dst} listener filter restored to the
 *       VIP:port the client dialled; the service is the one owning that VIP:port, else the one of the upstream cluster;</li>
 *   <li>backend: the upstream remote address Envoy picked;</li>
 *   <li>verdict: an RBAC 403 (response code details {@code rbac_access_denied…}; Envoy sets no response flag for it)
 *       or an external authorization denial → dropped by policy; no healthy upstream, no route or no cluster → no
 *       backend; an injected abort → no backend, as the simulator's node proxy reports it; anything else forwarded.</li>
 * </ul>
 */
final class AccessLogEvents {
    /** An entry nodemesh cannot read (no addresses, not an IP socket address): counted, never published. */
    static final class UnusableEntry extends IllegalArgumentException {
        UnusableEntry(String message) {
            super(message);
        }
    }

    private final MeshState state;
    private final MeshIndex index;
    private final Clock clock;
    private final Map<String, String> serviceByVipPort = new HashMap<>();
    private final Map<String, String> serviceByCluster = new HashMap<>();

    AccessLogEvents(MeshState state, Clock clock) {
        this.state = state;
        this.index = state.index();
        this.clock = clock;
        for (Service s : state.services()) {
            for (ServicePort p : s.ports()) {
                if (p.protocol() != Protocol.TCP) continue;
                serviceByCluster.putIfAbsent(Names.cluster(s.key(), p.port()), s.key());
                for (String vip : s.vips())
                    serviceByVipPort.putIfAbsent(IpAddresses.canonical(vip) + "|" + p.port(), s.key());
            }
        }
    }

    MeshState state() {
        return state;
    }

    /** The event of one HTTP request, or empty for a log type that does not end a request (not configured by nodemesh). */
    Optional<FlowEvent> http(String node, HTTPAccessLogEntry e) {
        AccessLogCommon c = e.getCommonProperties();
        if (c.getAccessLogType() != AccessLogType.NotSet && c.getAccessLogType() != AccessLogType.DownstreamEnd)
            return Optional.empty();
        Verdict verdict = e.getResponse().getResponseCodeDetails().startsWith("rbac_access_denied")
                        || c.getResponseFlags().hasUnauthorizedDetails()
                ? Verdict.DROPPED_POLICY
                : noBackend(c.getResponseFlags());
        long bytes = e.getRequest().getRequestHeadersBytes()
                + e.getRequest().getRequestBodyBytes()
                + e.getResponse().getResponseHeadersBytes()
                + e.getResponse().getResponseBodyBytes();
        return Optional.of(event(
                node,
                c,
                verdict == Verdict.FORWARDED ? FlowEvent.Type.TRANSLATE : FlowEvent.Type.DROP,
                verdict,
                bytes));
    }

    /** The event of one passthrough TCP connection: its end (with bytes both ways), or its upstream connect. */
    Optional<FlowEvent> tcp(String node, TCPAccessLogEntry e) {
        AccessLogCommon c = e.getCommonProperties();
        FlowEvent.Type type = switch (c.getAccessLogType()) {
            case NotSet, TcpConnectionEnd -> FlowEvent.Type.CLOSE;
            case TcpUpstreamConnected -> FlowEvent.Type.CONNECT;
            default -> null;
        };
        if (type == null) return Optional.empty();
        Verdict verdict = c.getConnectionTerminationDetails().startsWith("rbac_access_denied")
                ? Verdict.DROPPED_POLICY
                : noBackend(c.getResponseFlags());
        long bytes = e.getConnectionProperties().getReceivedBytes()
                + e.getConnectionProperties().getSentBytes();
        return Optional.of(event(node, c, verdict == Verdict.FORWARDED ? type : FlowEvent.Type.DROP, verdict, bytes));
    }

    private static Verdict noBackend(ResponseFlags f) {
        return f.getNoHealthyUpstream() || f.getNoRouteFound() || f.getNoClusterFound() || f.getFaultInjected()
                ? Verdict.NO_BACKEND
                : Verdict.FORWARDED;
    }

    private FlowEvent event(String node, AccessLogCommon c, FlowEvent.Type type, Verdict verdict, long bytes) {
        if (!c.hasDownstreamRemoteAddress()) throw new UnusableEntry("entry has no downstream_remote_address");
        if (!c.hasDownstreamLocalAddress()) throw new UnusableEntry("entry has no downstream_local_address");
        FlowPeer source = peer("downstream_remote_address", c.getDownstreamRemoteAddress());
        FlowPeer addressed = peer("downstream_local_address", c.getDownstreamLocalAddress());
        String service = serviceByVipPort.get(addressed.ip() + "|" + addressed.port());
        // A VIP names no workload: show the destination as dialled, as the other backends do.
        FlowPeer destination = service != null ? new FlowPeer(addressed.ip(), addressed.port(), "", "") : addressed;
        if (service == null) service = serviceByCluster.getOrDefault(c.getUpstreamCluster(), "");
        FlowPeer backend = c.hasUpstreamRemoteAddress() && verdict == Verdict.FORWARDED
                ? peer("upstream_remote_address", c.getUpstreamRemoteAddress())
                : null;
        Instant time = c.hasStartTime()
                ? Instant.ofEpochSecond(
                        c.getStartTime().getSeconds(), c.getStartTime().getNanos())
                : clock.instant();
        return new FlowEvent(
                time, node, type, source, destination, service, backend, verdict, FlowPath.NODE_PROXY, bytes);
    }

    /** An IP socket address as a peer, named after the workload that has it ({@code host} for any other address). */
    private FlowPeer peer(String field, Address a) {
        if (!a.hasSocketAddress())
            throw new UnusableEntry(field + " is not an IP socket address: " + a.getAddressCase());
        String raw = a.getSocketAddress().getAddress();
        if (!IpAddresses.isValid(raw)) throw new UnusableEntry(field + " '" + raw + "' is not an IP address");
        String ip = IpAddresses.canonical(raw);
        Optional<Workload> w = index.workloadByIp(ip);
        return new FlowPeer(
                ip,
                a.getSocketAddress().getPortValue(),
                w.map(Workload::key).orElse(""),
                w.map(Workload::identity).orElse(index.identityOf(ip)));
    }
}
