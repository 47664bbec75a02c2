package io.nodemesh.api.lb;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service's {@link Locality}, defined once for every backend: the kernel programs each node's slots with
 * {@link #of}, the node proxy gets the same groups as EDS priorities ({@link #tier}), the simulator picks with it.
 */
public final class ClosestEndpoints {
    /** {@link #tier} of an endpoint a client may not use at all. */
    public static final int EXCLUDED = -1;

    private ClosestEndpoints() {}

    /** Where {@code e} runs relative to {@code clientNode}. */
    public static Proximity proximity(MeshIndex index, Endpoint e, String clientNode) {
        Optional<String> node = nodeOf(index, e);
        if (node.isEmpty()) return Proximity.ELSEWHERE;
        if (node.get().equals(clientNode)) return Proximity.SAME_NODE;
        String zone = zone(index, node.get());
        return !zone.isEmpty() && zone.equals(zone(index, clientNode)) ? Proximity.SAME_ZONE : Proximity.ELSEWHERE;
    }

    /**
     * The group an endpoint at {@code p} belongs to under {@code locality}: 0 is used first, a higher one only while
     * every lower one is empty; {@link #EXCLUDED} never.
     */
    public static int tier(Locality locality, Proximity p) {
        return switch (locality) {
            case ANY -> 0;
            case PREFER_ZONE -> p == Proximity.ELSEWHERE ? 1 : 0;
            case PREFER_NODE -> p.ordinal();
            case NODE_ONLY -> p == Proximity.SAME_NODE ? 0 : EXCLUDED;
        };
    }

    /**
     * The endpoints of {@code candidates} (ready and healthy, in the caller's order) that a client on {@code clientNode}
     * uses: the lowest non-empty tier. Returns {@code candidates} itself when that is all of them.
     */
    public static List<Endpoint> of(MeshIndex index, Service s, List<Endpoint> candidates, String clientNode) {
        if (s.locality() == Locality.ANY || candidates.isEmpty()) return candidates;
        int[] tiers = new int[candidates.size()];
        int best = Integer.MAX_VALUE;
        for (int i = 0; i < tiers.length; i++) {
            tiers[i] = tier(s.locality(), proximity(index, candidates.get(i), clientNode));
            if (tiers[i] != EXCLUDED) best = Math.min(best, tiers[i]);
        }
        List<Endpoint> closest = new ArrayList<>();
        for (int i = 0; i < tiers.length; i++) if (tiers[i] == best) closest.add(candidates.get(i));
        return closest.size() == candidates.size() ? candidates : List.copyOf(closest);
    }

    /** The node the endpoint's workload runs on (named, else found by address); empty outside the mesh. */
    public static Optional<String> nodeOf(MeshIndex index, Endpoint e) {
        Optional<Workload> w = e.workload().isEmpty() ? Optional.empty() : index.workload(e.workload());
        return w.or(() -> index.workloadByIp(e.ip())).map(Workload::node);
    }

    private static String zone(MeshIndex index, String node) {
        return index.node(node).map(Node::zone).orElse("");
    }
}
