package io.nodemesh.envoy.internal.translate;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's endpoint assignments: the shared ones, with those of services that have a {@link Locality} replaced by
 * the node's own priorities. Without such services the node gets the shared list itself, so nodes keep sharing it.
 */
final class NodeEndpoints {
    private NodeEndpoints() {}

    static List<ClusterLoadAssignment> of(MeshIndex index, String node, List<ClusterLoadAssignment> shared) {
        Map<String, ClusterLoadAssignment> own = new HashMap<>();
        for (Service s : index.state().services()) {
            if (s.locality() == Locality.ANY) continue;
            for (ServicePort p : s.ports()) {
                if (p.protocol() != Protocol.TCP) continue;
                ClusterLoadAssignment cla = EndpointTranslator.assignment(index, s, p, node);
                own.put(cla.getClusterName(), cla);
            }
        }
        if (own.isEmpty()) return shared;
        List<ClusterLoadAssignment> out = new ArrayList<>(shared.size());
        for (ClusterLoadAssignment cla : shared) out.add(own.getOrDefault(cla.getClusterName(), cla));
        return out;
    }
}
