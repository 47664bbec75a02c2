package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * xDS clients authenticated by node: the client certificate (chained to the mesh root by the TLS layer) must name a
 * node, {@code spiffe://<trust domain>/nodemesh/node/<node>}, and every request on the call must speak for that node
 * ({@code <node>} or {@code <node>~<anything>}). Anything else ends the call with PERMISSION_DENIED, so a client of
 * node A never receives node B's snapshot — its listeners, clusters or SDS secrets.
 */
public final class NodeIdentity implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentity.class);
    private static final Pattern NODE_ID = Pattern.compile("spiffe://[^/]+/nodemesh/node/([^/]+)");
    private final java.util.concurrent.atomic.LongAdder denied = new java.util.concurrent.atomic.LongAdder();

    /** Calls ended with PERMISSION_DENIED since the server started. */
    public long denied() {
        return denied.sum();
    }

    /** The identity of {@code node}'s xDS clients in {@code trustDomain}. */
    public static String of(String trustDomain, String node) {
        return "spiffe://" + trustDomain + "/nodemesh/node/" + node;
    }

    /** The node a certificate's URI SAN names, if it is a node identity. */
    static Optional<String> nodeOf(X509Certificate cert) {
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans == null) return Optional.empty();
            for (List<?> san : sans) {
                if (!Integer.valueOf(6).equals(san.get(0))) continue;
                Matcher m = NODE_ID.matcher((String) san.get(1));
                if (m.matches()) return Optional.of(m.group(1));
            }
            return Optional.empty();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Optional<String> node = peerNode(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (node.isEmpty()) {
            LOG.warn(
                    "xDS call {} from {} refused: its client certificate names no node (spiffe://<td>/nodemesh/node/<node>)",
                    method,
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
            denied.increment();
            call.close(
                    Status.PERMISSION_DENIED.withDescription("client certificate names no nodemesh node"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String authenticated = node.get();
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused, first = true;

            @Override
            public void onMessage(Q message) {
                if (refused) return;
                String asked = askedNode(message);
                if (first && asked == null) asked = "(none)"; // the first request must say whose resources it wants
                first = false;
                if (asked == null || asked.equals(authenticated)) {
                    super.onMessage(message);
                    return;
                }
                refused = true;
                denied.increment();
                LOG.warn(
                        "xDS client authenticated as node {} asked for node {}'s resources on {}; refused",
                        authenticated,
                        asked,
                        method);
                call.close(
                        Status.PERMISSION_DENIED.withDescription(
                                "authenticated as node " + authenticated + ", not " + asked),
                        new Metadata());
            }
        };
    }

    private static Optional<String> peerNode(SSLSession session) {
        if (session == null) return Optional.empty();
        try {
            var certs = session.getPeerCertificates();
            return certs.length > 0 && certs[0] instanceof X509Certificate x ? nodeOf(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The node a request speaks for, or null when it names none (then the first request's node holds). */
    private static String askedNode(Object message) {
        Node n = switch (message) {
            case DiscoveryRequest r when r.hasNode() -> r.getNode();
            // SotW requests arrive as SharedNamesMarshaller reads them: the node is among the other fields.
            case SotwRequest r when r.fields().hasNode() -> r.fields().getNode();
            case DeltaDiscoveryRequest r when r.hasNode() -> r.getNode();
            case StreamAccessLogsMessage m
            when m.hasIdentifier() -> m.getIdentifier().getNode();
            default -> null;
        };
        return n == null ? null : NodeSnapshots.group(n.getId());
    }
}
