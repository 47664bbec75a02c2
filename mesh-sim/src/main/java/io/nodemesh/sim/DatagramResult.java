package io.nodemesh.sim;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;

/** What became of one UDP datagram. */
public sealed interface DatagramResult {
    /**
     * The datagram reached {@code backend}.
     *
     * @param backend      where it really went (address, target port, workload, identity)
     * @param replyFrom    the source address the client sees on the backend's reply: the VIP and port it sent to,
     *                     because recvmsg4 reverse-translates (the backend's own address never shows)
     * @param path         the way it went ({@link FlowPath#KERNEL_STACK} or {@link FlowPath#ENCRYPTED_TUNNEL}: the
     *                     socket redirect and the node proxy are TCP-only)
     * @param bytes        its size
     * @param retranslated true when a connected socket's backend had been removed and this send picked a new one
     */
    record Delivered(FlowPeer backend, FlowPeer replyFrom, FlowPath path, long bytes, boolean retranslated)
            implements DatagramResult {}

    /**
     * The datagram was dropped; for a connected socket, it stays connected and later sends try again.
     *
     * @param verdict {@link Verdict#DROPPED_POLICY} or {@link Verdict#NO_BACKEND}
     * @param reason  why, for people
     */
    record Dropped(Verdict verdict, String reason) implements DatagramResult {}

    default boolean delivered() {
        return this instanceof Delivered;
    }
}
