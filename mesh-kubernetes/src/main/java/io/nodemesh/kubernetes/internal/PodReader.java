package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A pod becomes a {@link Workload} whose identity is the SPIFFE id of its namespace and service account. Pods that are
 * not (or no longer) a network endpoint are left out: not scheduled, without an address yet, finished, or on the
 * host network (those are node processes, with the host identity).
 */
final class PodReader {
    private PodReader() {}

    static Optional<Workload> read(Pod pod, String trustDomain) {
        var spec = pod.getSpec();
        var status = pod.getStatus();
        if (spec == null || status == null) return Optional.empty();
        if (Boolean.TRUE.equals(spec.getHostNetwork())) return Optional.empty();
        if (spec.getNodeName() == null || spec.getNodeName().isEmpty()) return Optional.empty();
        String phase = status.getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) return Optional.empty();
        List<String> ips = new ArrayList<>();
        if (status.getPodIPs() != null) {
            for (PodIP ip : status.getPodIPs())
                if (ip.getIp() != null && !ips.contains(ip.getIp())) ips.add(ip.getIp());
        }
        if (status.getPodIP() != null && !status.getPodIP().isEmpty() && !ips.contains(status.getPodIP()))
            ips.add(status.getPodIP());
        if (ips.isEmpty()) return Optional.empty();
        String namespace = pod.getMetadata().getNamespace();
        String account = spec.getServiceAccountName() == null
                        || spec.getServiceAccountName().isEmpty()
                ? "default"
                : spec.getServiceAccountName();
        return Optional.of(new Workload(
                namespace,
                pod.getMetadata().getName(),
                spec.getNodeName(),
                ips,
                Identities.spiffe(trustDomain, namespace, account),
                pod.getMetadata().getLabels(),
                Placement.NONE));
    }
}
