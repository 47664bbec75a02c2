package io.nodemesh.api.state;

/**
 * A port a service exposes on its VIPs.
 *
 * @param name       optional name (routes and policies may refer to it)
 * @param port       the port on the VIP, 1..65535
 * @param targetPort the port on the backend, 1..65535
 * @param protocol   TCP or UDP
 */
public record ServicePort(String name, int port, int targetPort, Protocol protocol) {
    public ServicePort {
        name = name == null ? "" : name;
        protocol = protocol == null ? Protocol.TCP : protocol;
        if (targetPort == 0) targetPort = port;
    }

    public static ServicePort tcp(int port, int targetPort) {
        return new ServicePort("", port, targetPort, Protocol.TCP);
    }

    public static ServicePort udp(int port, int targetPort) {
        return new ServicePort("", port, targetPort, Protocol.UDP);
    }
}
