package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.List;

/**
 * A state-of-the-world request as {@link SharedNamesMarshaller} reads it: its resource names apart from its other
 * fields. A protobuf message copies any list it is given into a list of its own, so a request carrying the names would
 * hand every ACK a new 10,000-element list; kept apart, requests asking alike share one list object, which the stream
 * recognizes by identity ({@link SotwStreams#setOf}) instead of comparing or set-ifying 10,000 names per ACK.
 *
 * @param fields every field of the request but {@code resource_names}
 * @param names its {@code resource_names}, in wire order; the same list object for requests with the same name block
 */
record SotwRequest(DiscoveryRequest fields, List<String> names) {
    /** The request as protobuf would have parsed it. */
    DiscoveryRequest whole() {
        return fields.toBuilder().addAllResourceNames(names).build();
    }
}
