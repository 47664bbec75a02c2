package io.nodemesh.agent.health;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HealthCheck;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a state asks to probe: every ready endpoint of every service with a health check. */
final class ProbeTargets {
    private ProbeTargets() {}

    static List<ProbeTarget> of(MeshState state) {
        List<ProbeTarget> out = new ArrayList<>();
        MeshIndex index = null;
        for (Service s : state.services()) {
            if (s.resilience().healthCheck().isEmpty()) continue;
            HealthCheck check = s.resilience().healthCheck().get();
            Optional<ServicePort> port = probedPort(s, check);
            if (port.isEmpty()) continue; // validation refuses this; nothing to probe if it ever got here
            if (index == null) index = state.index();
            for (Endpoint e : index.readyEndpoints(s)) {
                out.add(new ProbeTarget(
                        s.key(), IpAddresses.canonical(e.ip()), port.get().targetPort(), check));
            }
        }
        return out;
    }

    /** The port a check names, or the first TCP port for 0 (as the validator reads it). */
    static Optional<ServicePort> probedPort(Service s, HealthCheck check) {
        return s.ports().stream()
                .filter(p -> p.protocol() == Protocol.TCP && (check.port() == 0 || p.port() == check.port()))
                .findFirst();
    }
}
