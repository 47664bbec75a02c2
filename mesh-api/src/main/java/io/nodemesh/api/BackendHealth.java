package io.nodemesh.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How one backend is doing, as an operator asks it ({@code nodemesh status}): read from what the backend runs (the
 * kernel's maps, the tunnel device, the proxies' xDS streams), not from what it was told to do. Cheap enough to ask on
 * demand, not meant for a hot loop: reading a map's fill walks its keys.
 *
 * @param backend  the backend's {@link MeshDataplane#name() name}
 * @param problems what needs an operator's attention (a table nearly full, a peer without a handshake, a proxy that
 *                 rejected its configuration); empty when healthy
 * @param tables   fill of the backend's fixed-size tables
 * @param peers    tunnel peers, for an encrypting backend
 * @param clients  proxies subscribed to the backend's xDS server, one entry per proxy and resource type
 */
public record BackendHealth(
        String backend,
        List<String> problems,
        List<TableFill> tables,
        List<TunnelPeer> peers,
        List<ProxyClient> clients) {
    /** A table fuller than this is a problem: the next big change may not fit. */
    public static final double FULL_WARNING = 0.9;

    public BackendHealth {
        problems = List.copyOf(problems);
        tables = List.copyOf(tables);
        peers = List.copyOf(peers);
        clients = List.copyOf(clients);
    }

    /** A backend with nothing to report beyond being there. */
    public static BackendHealth nothingToReport(String backend) {
        return new BackendHealth(backend, List.of(), List.of(), List.of(), List.of());
    }

    public boolean healthy() {
        return problems.isEmpty();
    }

    /**
     * A fixed-size table, such as an eBPF map.
     *
     * @param name     the table's name, e.g. {@code nm_backends}
     * @param entries  entries it holds now
     * @param capacity entries it can hold
     * @param evicting whether a full table evicts its oldest entries (an LRU map) rather than refusing new ones, so
     *                 being full is normal
     */
    public record TableFill(String name, long entries, long capacity, boolean evicting) {
        public double fill() {
            return capacity == 0 ? 0 : (double) entries / capacity;
        }

        /** Full enough to be a problem: non-evicting and above {@link #FULL_WARNING}. */
        public boolean nearlyFull() {
            return !evicting && fill() > FULL_WARNING;
        }
    }

    /**
     * One tunnel peer.
     *
     * @param node          the peer's node name, or its public key when no node of the state has that key
     * @param endpoint      the peer's current underlay address, {@code host:port}, empty until known
     * @param lastHandshake when the last handshake completed, empty if none has
     * @param rxBytes       bytes received from the peer since it was added
     * @param txBytes       bytes sent to it since it was added
     */
    public record TunnelPeer(
            String node,
            String publicKey,
            Optional<String> endpoint,
            Optional<Instant> lastHandshake,
            long rxBytes,
            long txBytes) {}

    /**
     * One proxy's subscription to one resource type.
     *
     * @param node         the proxy's xDS node id
     * @param resourceType the short type name, e.g. {@code Cluster}, {@code Secret}
     * @param sentVersion  the last version sent to it, empty before the first response
     * @param ackedVersion the last version it accepted, empty before the first ACK
     * @param nacks        how many responses it rejected on this stream
     * @param lastNack     the proxy's error detail of its last rejection
     */
    public record ProxyClient(
            String node,
            String resourceType,
            Optional<String> sentVersion,
            Optional<String> ackedVersion,
            long nacks,
            Optional<String> lastNack) {
        /** True when the proxy runs the latest version it was sent. */
        public boolean upToDate() {
            return sentVersion.isPresent() && sentVersion.equals(ackedVersion);
        }
    }
}
