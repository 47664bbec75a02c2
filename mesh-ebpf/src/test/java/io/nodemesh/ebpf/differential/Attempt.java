package io.nodemesh.ebpf.differential;

/**
 * One connection attempt: from a workload ({@code client} is its key) or from a host process ({@code client} empty),
 * to {@code ip:port} — a service VIP or a workload address.
 */
record Attempt(String client, String ip, int port) {
    boolean fromHost() {
        return client.isEmpty();
    }

    @Override
    public String toString() {
        return (fromHost() ? "host" : client) + " -> " + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }
}
