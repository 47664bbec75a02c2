package io.nodemesh.envoy;

import java.time.Instant;

/**
 * An xDS client rejected configuration nodemesh sent it.
 *
 * @param time            when the NACK arrived
 * @param node            the node (snapshot group) of the client
 * @param typeUrl         the resource type it rejected
 * @param rejectedVersion the version it rejected
 * @param errorDetail     the client's own explanation (its {@code error_detail} message)
 * @param servingVersion  the version of that type the node is served after the rollback (empty when it never accepted one)
 * @param delta           whether it came over the incremental (delta) protocol
 */
public record Nack(
        Instant time,
        String node,
        String typeUrl,
        String rejectedVersion,
        String errorDetail,
        String servingVersion,
        boolean delta) {
    @Override
    public String toString() {
        return "NACK from " + node + " of " + typeUrl.substring(typeUrl.lastIndexOf('.') + 1) + " version "
                + rejectedVersion + ": " + errorDetail + " (now serving version "
                + (servingVersion.isEmpty() ? "none" : servingVersion) + ")";
    }
}
