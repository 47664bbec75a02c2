package io.nodemesh.ebpf.bench;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The control-plane benchmark's states: {@code services} services with one IPv4 VIP and one TCP port each, and
 * {@code backends} explicit ready endpoints each (addresses outside every workload, like endpoints of pods on other
 * nodes), round-robin. Addresses are unique: VIPs from 10.96.0.0/16, backends from 10.128.0.0/10.
 */
final class ControlPlaneStates {
    static final String NODE = "bench-node";

    private ControlPlaneStates() {}

    static MeshState big(int services, int backends) {
        MeshState.Builder b = MeshState.builder();
        b.node(new Node(NODE, List.of("192.0.2.1"), List.of("10.64.0.0/24"), ""));
        for (int s = 0; s < services; s++) {
            List<Endpoint> endpoints = new ArrayList<>(backends);
            for (int e = 0; e < backends; e++) endpoints.add(Endpoint.ready(backendIp(s * backends + e), ""));
            b.service(new Service(
                    "bench",
                    "svc-" + s,
                    List.of("10.96." + (s >> 8) + "." + (s & 255)),
                    List.of(ServicePort.tcp(80, 8080)),
                    endpoints,
                    Map.of(),
                    LoadBalancing.ROUND_ROBIN,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
        }
        return b.build();
    }

    /** {@code state} with one endpoint of service {@code s} changed: its first endpoint TERMINATING (or READY again). */
    static MeshState flipFirstEndpoint(MeshState state, int s) {
        return state.withService("bench/svc-" + s, svc -> {
            List<Endpoint> eps = new ArrayList<>(svc.endpoints());
            Endpoint first = eps.getFirst();
            EndpointState next = first.state() == EndpointState.READY ? EndpointState.TERMINATING : EndpointState.READY;
            eps.set(0, new Endpoint(first.ip(), first.workload(), next));
            return svc.withEndpoints(eps);
        });
    }

    /** The default capacities, each raised where {@link #big} needs more (50,000 services need more services and backends). */
    static PlanLimits limitsFor(int services, int backends) {
        PlanLimits d = PlanLimits.DEFAULTS;
        return new PlanLimits(
                Math.max(d.maxServices(), services),
                Math.max(d.maxVipPorts(), services),
                Math.max(d.maxBackends(), services * backends),
                d.maxBackendsPerService(),
                d.maxIdentities(),
                d.maxPolicyRules(),
                d.maxMaglevEntries(),
                d.maglevTableSize());
    }

    /** The {@code ebpf.max*} options that differ from the defaults in {@code limits}. */
    static Map<String, String> limitOptions(PlanLimits limits) {
        PlanLimits d = PlanLimits.DEFAULTS;
        Map<String, String> out = new java.util.TreeMap<>();
        if (limits.maxServices() != d.maxServices()) out.put("ebpf.maxServices", "" + limits.maxServices());
        if (limits.maxVipPorts() != d.maxVipPorts()) out.put("ebpf.maxVipPorts", "" + limits.maxVipPorts());
        if (limits.maxBackends() != d.maxBackends()) out.put("ebpf.maxBackends", "" + limits.maxBackends());
        return out;
    }

    static String backendIp(int i) {
        int a = 128 + (i >> 16);
        return "10." + a + "." + ((i >> 8) & 255) + "." + (i & 255);
    }
}
