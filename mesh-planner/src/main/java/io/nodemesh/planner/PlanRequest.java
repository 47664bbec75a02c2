package io.nodemesh.planner;

import io.nodemesh.api.state.Locality;
import java.util.ArrayList;
import java.util.List;

/**
 * What to plan: a cluster shape, the models to compare, the loads to simulate.
 *
 * @param shape            the cluster
 * @param models           models to compare, at least one
 * @param rps              offered loads (cluster-wide requests per second) to simulate; empty: footprint only
 * @param messageBytes     request and response payload size
 * @param requestsPerLoad  simulated requests at each load (the first 10% warm the queues up and are not measured)
 * @param traffic          who talks to whom
 * @param seed             random seed: the same request gives the same report
 * @param locality         which replica a UNIFORM request goes to: {@link Locality#ANY} a random one,
 *                         {@link Locality#PREFER_NODE} one on the client's node when the service has one there (the
 *                         planner's nodes have no zones, so {@link Locality#PREFER_ZONE} is ANY);
 *                         {@link Locality#NODE_ONLY} needs a replica of every service on every node
 */
public record PlanRequest(
        ClusterShape shape,
        List<Model> models,
        List<Double> rps,
        int messageBytes,
        long requestsPerLoad,
        TrafficPattern traffic,
        long seed,
        Locality locality) {
    public PlanRequest {
        models = List.copyOf(models);
        rps = List.copyOf(rps);
        traffic = traffic == null ? TrafficPattern.UNIFORM : traffic;
        locality = locality == null ? Locality.ANY : locality;
    }

    /** A request whose services have no locality: every replica is equally likely. */
    public PlanRequest(
            ClusterShape shape,
            List<Model> models,
            List<Double> rps,
            int messageBytes,
            long requestsPerLoad,
            TrafficPattern traffic,
            long seed) {
        this(shape, models, rps, messageBytes, requestsPerLoad, traffic, seed, Locality.ANY);
    }

    public PlanRequest withLocality(Locality l) {
        return new PlanRequest(shape, models, rps, messageBytes, requestsPerLoad, traffic, seed, l);
    }

    /** Every problem with this request (shape included), each naming the field. */
    public List<String> problems() {
        List<String> p = new ArrayList<>(shape.problems());
        if (models.isEmpty())
            p.add("models must name at least one model (sidecar, node, ebpf, optionally +mtls/+wireguard)");
        for (int i = 0; i < rps.size(); i++) {
            double r = rps.get(i);
            if (!(r > 0) || Double.isInfinite(r)) p.add("rps[" + i + "] must be a positive rate, got " + r);
        }
        if (messageBytes < 0) p.add("messageBytes must be >= 0, got " + messageBytes);
        if (!rps.isEmpty() && requestsPerLoad < 10) p.add("requestsPerLoad must be >= 10, got " + requestsPerLoad);
        if (traffic == TrafficPattern.UNIFORM
                && shape.services() == 1
                && shape.podsPerService() >= 1
                && !rps.isEmpty()) {
            p.add("services must be >= 2 for UNIFORM traffic (a pod calls another service)");
        }
        if (traffic == TrafficPattern.PAIR && shape.pods() < 2) p.add("PAIR traffic needs at least 2 pods");
        if (locality == Locality.NODE_ONLY && shape.podsPerService() < shape.nodes())
            p.add("locality NODE_ONLY needs a replica of every service on every node: podsPerService ("
                    + shape.podsPerService() + ") must be >= nodes (" + shape.nodes() + ")");
        return p;
    }
}
