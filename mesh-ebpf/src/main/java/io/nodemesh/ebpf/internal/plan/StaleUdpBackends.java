package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import java.util.ArrayList;
import java.util.Collection;
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
            if (old != null) stale(setKey, e.getValue(), old, udpAfter.get(serviceKey), was, now, keys);
        }
        return keys;
    }

    /**
     * The same as {@link #between} when only the services named in {@code candidates} can have lost backends (an apply
     * that changed those services and no workload), found by key instead of by walking every service: one endpoint
     * change costs one service's work.
     *
     * @param before the index of the state programmed until now, {@code was} its allocations
     * @param after  the index of the state just programmed, {@code now} its allocations
     */
    public static List<Bytes> ofServices(
            Collection<String> candidates, MeshIndex before, Allocations was, MeshIndex after, Allocations now) {
        List<Bytes> keys = new ArrayList<>();
        for (String serviceKey : candidates) {
            Service old =
                    before.service(serviceKey).filter(StaleUdpBackends::udp).orElse(null);
            if (old == null) continue;
            Service next =
                    after.service(serviceKey).filter(StaleUdpBackends::udp).orElse(null);
            for (ServiceEntries.Family f : ServiceEntries.Family.values()) {
                String setKey = ServiceEntries.setKey(old, f);
                List<String> slots = was.slots().get(setKey);
                if (slots != null) stale(setKey, slots, old, next, was, now, keys);
            }
        }
        return keys;
    }

    /** Adds the stale keys of backend set {@code setKey} of UDP service {@code old} ({@code next}: null if no longer UDP). */
    private static void stale(
            String setKey,
            List<String> wasSlots,
            Service old,
            Service next,
            Allocations was,
            Allocations now,
            List<Bytes> keys) {
        String serviceKey = old.key();
        Integer serviceId = was.services().get(serviceKey);
        if (serviceId == null) return;
        List<String> nowSlots = now.slots().get(setKey);
        boolean sameService = next != null && serviceId.equals(now.services().get(serviceKey));
        // The common case: an untouched service keeps the very same slot list and service record.
        if (sameService && nowSlots == wasSlots && next == old) return;
        Set<String> keptAddresses = sameService && nowSlots != null ? Set.copyOf(nowSlots) : Set.of();
        Set<Integer> keptPorts = sameService ? udpTargetPorts(next) : Set.of();
        for (String address : wasSlots) {
            for (int port : udpTargetPorts(old)) {
                if (keptAddresses.contains(address) && keptPorts.contains(port)) continue;
                keys.add(Encode.udpStaleKey(Addresses.toKernel(address), serviceId, port));
            }
        }
    }

    private static boolean udp(Service s) {
        for (ServicePort p : s.ports()) if (p.protocol() == Protocol.UDP) return true;
        return false;
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
