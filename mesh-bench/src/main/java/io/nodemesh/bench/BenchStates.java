package io.nodemesh.bench;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The meshes the benchmarks run on: {@code services} services of {@value #BACKENDS} backends each, spread over
 * {@value #NODES} nodes (one /24 of pods each), one in ten services L7, as a cluster's explicit endpoint lists.
 */
final class BenchStates {
    static final int BACKENDS = 10;
    static final int NODES = 100;

    private BenchStates() {}

    static MeshState mesh(int services) {
        MeshState.Builder b = MeshState.builder();
        for (int n = 0; n < NODES; n++) {
            b.node(new Node("node-" + n, List.of("192.168.0." + (n + 1)), List.of(podCidr(n)), ""));
        }
        for (int i = 0; i < services; i++) b.service(service(i, EndpointState.READY));
        return b.build();
    }

    /** {@code state} with the first backend of service {@code i} flipped between ready and not ready. */
    static MeshState oneEndpointChanged(MeshState state, int i) {
        Service old = state.services().stream()
                .filter(s -> s.name().equals("svc" + i))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service svc" + i));
        EndpointState flipped = old.endpoints().getFirst().state() == EndpointState.READY
                ? EndpointState.NOT_READY
                : EndpointState.READY;
        // In place, as a backend sees an endpoint change: same keys in the same order, one service replaced.
        MeshState next = state.withService(old.key(), s -> service(i, flipped));
        List<?> violations = next.validate(state);
        if (!violations.isEmpty()) throw new IllegalStateException("changed bench state is invalid: " + violations);
        return next;
    }

    /** A copy of every service made of new objects, so comparing it with the original cannot stop at identity. */
    static List<Service> deepCopy(List<Service> services) {
        List<Service> copy = new ArrayList<>(services.size());
        for (Service s : services) {
            List<Endpoint> eps = new ArrayList<>(s.endpoints().size());
            for (Endpoint e : s.endpoints())
                eps.add(new Endpoint(new String(e.ip()), new String(e.workload()), e.state()));
            copy.add(new Service(
                    new String(s.namespace()),
                    new String(s.name()),
                    s.vips().stream().map(String::new).toList(),
                    List.copyOf(s.ports()),
                    eps,
                    Map.copyOf(s.selector()),
                    s.loadBalancing(),
                    s.affinity(),
                    s.layer()));
        }
        return copy;
    }

    private static Service service(int i, EndpointState firstBackend) {
        List<Endpoint> eps = new ArrayList<>(BACKENDS);
        for (int k = 0; k < BACKENDS; k++) {
            int pod = i * BACKENDS + k;
            int node = pod % NODES;
            String ip = "10.1." + node + "." + (pod / NODES % 250 + 2);
            eps.add(new Endpoint(ip, "", k == 0 ? firstBackend : EndpointState.READY));
        }
        return new Service(
                "ns" + (i % 100),
                "svc" + i,
                List.of("172.16." + (i / 250) + "." + (i % 250 + 1)),
                List.of(ServicePort.tcp(8080, 8080)),
                eps,
                Map.of(),
                LoadBalancing.ROUND_ROBIN,
                SessionAffinity.NONE,
                i % 10 == 0 ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    private static String podCidr(int node) {
        return "10.1." + node + ".0/24";
    }
}
