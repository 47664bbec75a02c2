package io.nodemesh.api.state;

/**
 * A port a service exposes on its VIPs.
 *
 * @param name        optional name (routes and policies may refer to it)
 * @param port        the port on the VIP, 1..65535
 * @param targetPort  the port on the backend, 1..65535
 * @param protocol    TCP or UDP
 * @param appProtocol what the port carries (TCP ports only; null means {@link AppProtocol#TCP})
 */
public record ServicePort(String name, int port, int targetPort, Protocol protocol, AppProtocol appProtocol) {
    public ServicePort {
        name = name == null ? "" : name;
        protocol = protocol == null ? Protocol.TCP : protocol;
        appProtocol = appProtocol == null ? AppProtocol.TCP : appProtocol;
        if (targetPort == 0) targetPort = port;
    }

    /** A port with no application protocol ({@link AppProtocol#TCP}). */
    public ServicePort(String name, int port, int targetPort, Protocol protocol) {
        this(name, port, targetPort, protocol, AppProtocol.TCP);
    }

    public static ServicePort tcp(int port, int targetPort) {
        return new ServicePort("", port, targetPort, Protocol.TCP);
    }

    /** A TCP port that carries {@code appProtocol}. */
    public static ServicePort tcp(int port, int targetPort, AppProtocol appProtocol) {
        return new ServicePort("", port, targetPort, Protocol.TCP, appProtocol);
    }

    public static ServicePort udp(int port, int targetPort) {
        return new ServicePort("", port, targetPort, Protocol.UDP);
    }

    /** This port carrying {@code app} instead. */
    public ServicePort withAppProtocol(AppProtocol app) {
        return new ServicePort(name, port, targetPort, protocol, app);
    }
}
