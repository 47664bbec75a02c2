package io.nodemesh.planner;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a cluster to plan for. Pods are spread evenly over nodes (pod {@code i} on node {@code i mod nodes}),
 * the way a scheduler spreading replicas would, so node loads differ by at most one pod.
 *
 * @param nodes           number of nodes, ≥ 1
 * @param services        number of services, ≥ 1
 * @param podsPerService  replicas of each service, ≥ 1
 * @param l7Fraction      fraction of services that need L7 (HTTP routing or policy), 0…1; the first
 *                        {@code round(services × l7Fraction)} services are L7
 * @param maxPodsPerNode  pods a node accepts (Kubernetes' default is 110)
 * @param podMemoryMb     memory each application pod requests (0: not checked)
 * @param nodeMemoryMb    allocatable memory of a node (0: not checked)
 */
public record ClusterShape(
        int nodes,
        int services,
        int podsPerService,
        double l7Fraction,
        int maxPodsPerNode,
        double podMemoryMb,
        double nodeMemoryMb) {

    public static final int KUBERNETES_MAX_PODS = 110;

    /** A shape with Kubernetes' pod limit, no L7 services and no memory check. */
    public static ClusterShape of(int nodes, int services, int podsPerService) {
        return new ClusterShape(nodes, services, podsPerService, 0, KUBERNETES_MAX_PODS, 0, 0);
    }

    /**
     * The shape of an existing mesh, for planning it: its nodes, services and L7 share, with the average replica
     * count per service (the planner models equal replica counts; at least one).
     */
    public static ClusterShape of(MeshState state) {
        int services = state.services().size();
        long replicas = 0;
        long l7 = 0;
        var index = state.index();
        for (Service s : state.services()) {
            replicas += index.endpoints(s).size();
            if (s.l7()) l7++;
        }
        int pps = services == 0 ? 1 : (int) Math.max(1, Math.round((double) replicas / services));
        return new ClusterShape(
                state.nodes().size(),
                services,
                pps,
                services == 0 ? 0 : (double) l7 / services,
                KUBERNETES_MAX_PODS,
                0,
                0);
    }

    public ClusterShape withL7Fraction(double f) {
        return new ClusterShape(nodes, services, podsPerService, f, maxPodsPerNode, podMemoryMb, nodeMemoryMb);
    }

    public ClusterShape withMaxPodsPerNode(int max) {
        return new ClusterShape(nodes, services, podsPerService, l7Fraction, max, podMemoryMb, nodeMemoryMb);
    }

    public ClusterShape withMemory(double podMb, double nodeMb) {
        return new ClusterShape(nodes, services, podsPerService, l7Fraction, maxPodsPerNode, podMb, nodeMb);
    }

    public long pods() {
        return (long) services * podsPerService;
    }

    public int l7Services() {
        return (int) Math.round(services * l7Fraction);
    }

    /** Most pods any node gets under the even spread. */
    public int maxPodsOnANode() {
        return (int) ((pods() + nodes - 1) / nodes);
    }

    /** Every problem with this shape, each naming the field; empty when it can be planned. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (nodes < 1) p.add("nodes must be >= 1, got " + nodes + " (a cluster with no nodes runs no pods)");
        if (services < 1) p.add("services must be >= 1, got " + services);
        if (podsPerService < 1) p.add("podsPerService must be >= 1, got " + podsPerService);
        if (!(l7Fraction >= 0 && l7Fraction <= 1)) p.add("l7Fraction must be between 0 and 1, got " + l7Fraction);
        if (maxPodsPerNode < 1) p.add("maxPodsPerNode must be >= 1, got " + maxPodsPerNode);
        if (podMemoryMb < 0 || Double.isNaN(podMemoryMb)) p.add("podMemoryMb must be >= 0, got " + podMemoryMb);
        if (nodeMemoryMb < 0 || Double.isNaN(nodeMemoryMb)) p.add("nodeMemoryMb must be >= 0, got " + nodeMemoryMb);
        if (!p.isEmpty()) return p;
        if (pods() > Integer.MAX_VALUE / 2)
            p.add("services x podsPerService = " + pods() + " pods is more than the planner handles");
        if (podMemoryMb > 0 && nodeMemoryMb > 0 && podMemoryMb > nodeMemoryMb) {
            p.add("pods fit on no node: podMemoryMb " + podMemoryMb + " exceeds nodeMemoryMb " + nodeMemoryMb);
        }
        if (maxPodsOnANode() > maxPodsPerNode) {
            long needed = (pods() + maxPodsPerNode - 1) / maxPodsPerNode;
            p.add("pods fit on no node: " + pods() + " pods on " + nodes + " nodes is " + maxPodsOnANode()
                    + " pods per node, more than maxPodsPerNode " + maxPodsPerNode + " (needs nodes >= " + needed
                    + ")");
        } else if (podMemoryMb > 0 && nodeMemoryMb > 0 && maxPodsOnANode() * podMemoryMb > nodeMemoryMb) {
            p.add("pods fit on no node: " + maxPodsOnANode() + " pods x podMemoryMb " + podMemoryMb
                    + " exceeds nodeMemoryMb " + nodeMemoryMb + " on the fullest node");
        }
        return p;
    }
}
