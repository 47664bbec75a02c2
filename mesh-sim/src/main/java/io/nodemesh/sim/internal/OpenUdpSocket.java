package io.nodemesh.sim.internal;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.sim.UdpSocket;

/**
 * A connected UDP socket's kernel state: like the eBPF backend's per-socket entry, the backend it was translated to,
 * kept while that backend exists and replaced on the next send once it is gone.
 */
public final class OpenUdpSocket {
    final UdpSocket socket;
    final NodeKernel kernel;
    /** The endpoint datagrams go to now, or null when the last translation found none. */
    Endpoint backend;

    long bytes;
    /** Where and how the last delivered datagram went, for the close event. */
    FlowPeer lastBackend;

    FlowPath lastPath = FlowPath.NONE;
    boolean open = true;

    OpenUdpSocket(UdpSocket socket, NodeKernel kernel) {
        this.socket = socket;
        this.kernel = kernel;
    }

    public UdpSocket socket() {
        return socket;
    }

    public NodeKernel kernel() {
        return kernel;
    }

    public long bytes() {
        return bytes;
    }
}
