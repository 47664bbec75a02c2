package io.nodemesh.ebpf.differential;

/**
 * One connection attempt: from a workload ({@code client} is its key) or from a host process ({@code client} empty),
 * to {@code ip:port} — a service VIP or a workload address — over TCP (a connect) or UDP (one datagram and its reply,
 * on an unconnected socket — translated per datagram by sendmsg — or on a connected one — translated at connect).
 */
record Attempt(String client, String ip, int port, boolean udp, boolean connectedUdp) {
    boolean fromHost() {
        return client.isEmpty();
    }

    @Override
    public String toString() {
        String transport = udp ? connectedUdp ? "connected udp " : "udp " : "tcp ";
        String to = ip.contains(":") ? "[" + ip + "]" : ip;
        return transport + (fromHost() ? "host" : client) + " -> " + to + ":" + port;
    }
}
