package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The (service, backend address, backend port) triples an apply took away from UDP services — backends removed,
 * no longer ready, or whose target port changed — as {@code nm_udp_stale} keys. Connected UDP sockets were translated
 * once at {@code connect()}; these are the ones the kernel must now break (udp_reap.bpf.c).
 */
public final class StaleUdpBackends {
    private StaleUdpBackends() {}

    /**
     * @param before      the state programmed until now, {@code was} its allocations
     * @param after       the state just programmed, {@code now} its allocations
     */
    public static List<Bytes> between(MeshState before, Allocations was, MeshState after, Allocations now) {
        Map<String, Service> udpBefore = udpServices(before);
        if (udpBefore.isEmpty()) return List.of();
        Map<String, Service> udpAfter = udpServices(after);
        List<Bytes> keys = new ArrayList<>();
        for (var e : was.slots().entrySet()) {
            String setKey = e.getKey();
            String serviceKey = setKey.substring(0, setKey.lastIndexOf('|'));
            Service old = udpBefore.get(serviceKey);
            if (old == null) continue;
            Integer serviceId = was.services().get(serviceKey);
            if (serviceId == null) continue;
            List<String> nowSlots = now.slots().get(setKey);
            Service next = udpAfter.get(serviceKey);
            boolean sameService =
                    next != null && serviceId.equals(now.services().get(serviceKey));
            // The common case: an untouched service keeps the very same slot list and service record.
            if (sameService && nowSlots == e.getValue() && next == old) continue;
            Set<String> keptAddresses = sameService && nowSlots != null ? Set.copyOf(nowSlots) : Set.of();
            Set<Integer> keptPorts = sameService ? udpTargetPorts(next) : Set.of();
            for (String address : e.getValue()) {
                for (int port : udpTargetPorts(old)) {
                    if (keptAddresses.contains(address) && keptPorts.contains(port)) continue;
                    keys.add(Encode.udpStaleKey(Addresses.toKernel(address), serviceId, port));
                }
            }
        }
        return keys;
    }

    private static Map<String, Service> udpServices(MeshState state) {
        Map<String, Service> out = new HashMap<>();
        for (Service s : state.services()) {
            for (ServicePort p : s.ports()) {
                if (p.protocol() == Protocol.UDP) {
                    out.putIfAbsent(s.key(), s);
                    break;
                }
            }
        }
        return out;
    }

    private static Set<Integer> udpTargetPorts(Service s) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (ServicePort p : s.ports()) if (p.protocol() == Protocol.UDP) ports.add(p.targetPort());
        return ports;
    }
}
