package io.nodemesh.planner.internal;

import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.Dataplane;
import io.nodemesh.planner.Footprint;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.PlannerParameters;

/**
 * Proxies and memory per node for a model: closed-form counting, no simulation. Every proxy is assumed to know the
 * whole mesh (Istio's default without Sidecar scoping); the eBPF model's node proxy only knows the L7 services.
 */
public final class Footprints {
    private Footprints() {}

    public static Footprint of(ClusterShape shape, Model model, PlannerParameters p) {
        long pods = shape.pods();
        int nodes = shape.nodes();
        int maxPods = shape.maxPodsOnANode();
        double mapsMb = model.dataplane() == Dataplane.EBPF ? p.ebpfMaps().mb(shape.services(), pods) : 0;
        return switch (model.dataplane()) {
            case SIDECAR -> {
                double each = p.sidecar().memory().mb(shape.services(), pods);
                yield new Footprint(
                        model,
                        pods,
                        maxPods,
                        (double) pods / nodes,
                        each,
                        each * pods / nodes,
                        each * maxPods,
                        each * pods);
            }
            case NODE_PROXY -> {
                double each = nodeProxyMemoryMb(shape, model, p);
                yield new Footprint(model, nodes, 1, 1, each, each, each, each * nodes);
            }
            case EBPF -> {
                boolean proxy = shape.l7Services() > 0;
                double each = proxy ? nodeProxyMemoryMb(shape, model, p) : 0;
                double perNode = each + mapsMb;
                yield new Footprint(
                        model,
                        proxy ? nodes : 0,
                        proxy ? 1 : 0,
                        proxy ? 1 : 0,
                        each,
                        perNode,
                        perNode,
                        perNode * nodes);
            }
        };
    }

    static double nodeProxyMemoryMb(ClusterShape shape, Model model, PlannerParameters p) {
        if (model.dataplane() == Dataplane.EBPF) {
            long l7 = shape.l7Services();
            return p.nodeProxy().memory().mb(l7, l7 * shape.podsPerService());
        }
        return p.nodeProxy().memory().mb(shape.services(), shape.pods());
    }
}
