package io.nodemesh.envoy.internal.translate;

import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;

/**
 * How nodemesh names the xDS resources it makes. One place, so a name read in a NACK or a debug dump can be traced back
 * to the service it came from.
 */
public final class Names {
    /** The node proxy's transparent listener that steered connections arrive on. */
    public static final String OUTBOUND_LISTENER = "nodemesh-outbound";
    /** ORIGINAL_DST cluster for connections the outbound listener has no service chain for. */
    public static final String PASSTHROUGH_CLUSTER = "nodemesh-passthrough";
    /** SDS name of the trust bundle (the mesh CA's certificate) that peers are validated against. */
    public static final String TRUST_BUNDLE = "nodemesh-trust-bundle";
    /** gRPC's default server listener template (gRFC A36); the bootstrap we generate for gRPC servers names it. */
    public static final String GRPC_SERVER_TEMPLATE = "grpc/server?xds.resource.listening_address=%s";

    private Names() {}

    /** The service's host, as proxyless gRPC clients name it: {@code xds:///<name>.<namespace>}. */
    public static String host(Service s) {
        return s.name() + "." + s.namespace();
    }

    /** The host of a service given as {@code namespace/name}. */
    public static String host(String serviceKey) {
        int slash = serviceKey.indexOf('/');
        return serviceKey.substring(slash + 1) + "." + serviceKey.substring(0, slash);
    }

    /** EDS cluster of one service port, in Istio's spelling so operators recognise it. */
    public static String cluster(String serviceKey, int port) {
        return "outbound|" + port + "||" + host(serviceKey);
    }

    /** Route configuration (and api_listener name) of one service port. */
    public static String route(Service s, ServicePort p) {
        return host(s) + ":" + p.port();
    }

    /** gRPC's server-side listener name for a serving address. */
    public static String grpcServerListener(String ip, int port) {
        return GRPC_SERVER_TEMPLATE.formatted(hostPort(ip, port));
    }

    static String hostPort(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** SDS name of a workload's certificate: its SPIFFE id. */
    public static String workloadSecret(String spiffeId) {
        return spiffeId;
    }
}
