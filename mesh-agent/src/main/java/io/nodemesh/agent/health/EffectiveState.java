package io.nodemesh.agent.health;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state the backends are given: the desired state with every unhealthy endpoint made {@link EndpointState#NOT_READY}.
 * A service that selects its backends by label gets them listed instead (the same endpoints, in the same order), so an
 * unhealthy one can be marked. Every node computes the same from the same results, and the backends need nothing new:
 * a not-ready endpoint is one they already leave out of a service's slots.
 */
final class EffectiveState {
    private EffectiveState() {}

    static MeshState of(MeshState desired, Set<ProbeTarget.EndpointKey> unhealthy) {
        if (unhealthy.isEmpty()) return desired;
        MeshIndex index = desired.index();
        Set<String> affected = new java.util.HashSet<>();
        unhealthy.forEach(k -> affected.add(k.service()));
        List<Service> services = new ArrayList<>(desired.services().size());
        for (Service s : desired.services()) {
            if (!affected.contains(s.key())) {
                services.add(s); // the same object: validation and the backends' caches know it is unchanged
                continue;
            }
            List<Endpoint> endpoints = new ArrayList<>();
            for (Endpoint e : index.endpoints(s)) {
                boolean out = e.state() == EndpointState.READY
                        && unhealthy.contains(new ProbeTarget.EndpointKey(s.key(), IpAddresses.canonical(e.ip())));
                endpoints.add(out ? new Endpoint(e.ip(), e.workload(), EndpointState.NOT_READY) : e);
            }
            services.add(s.toBuilder().selector(Map.of()).endpoints(endpoints).build());
        }
        return new MeshState(
                desired.nodes(),
                desired.workloads(),
                services,
                desired.policies(),
                desired.routes(),
                desired.encryption());
    }
}
