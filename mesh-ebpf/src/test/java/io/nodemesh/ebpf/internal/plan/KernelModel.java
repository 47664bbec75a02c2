package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelLayouts;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.abi.StructReader;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The decisions of bpf/common.h and bpf/service.bpf.c re-told in Java over a plan's map contents, so property tests can
 * compare what the kernel would decide with MeshIndex without loading anything. Keep in step with the C code.
 */
final class KernelModel {
    private final MapPlan plan;

    KernelModel(MapPlan plan) {
        this.plan = plan;
    }

    /** nm_identity_of_ip: the address's identity, or host. */
    int identityOfIp(String ip) {
        Bytes info = plan.entries(KernelMap.IP_IDENTITY).get(Encode.ipKey(Addresses.toKernel(ip)));
        return info == null
                ? KernelAbi.IDENTITY_HOST
                : (int) new StructReader(KernelLayouts.IP_INFO, info.toArray()).u32("identity");
    }

    /** nm_policy_allows, lookup for lookup. */
    boolean allows(int src, int dst, int svc, int port) {
        int bits = 0;
        for (int s : new int[] {src, 0}) {
            for (int p : new int[] {port, 0}) {
                bits |= rule(dst, 0, s, p);
                if (svc != 0) bits |= rule(0, svc, s, p);
                bits |= rule(0, 0, s, p);
            }
        }
        if ((bits & KernelAbi.POLICY_DENY) != 0) return false;
        if ((bits & KernelAbi.POLICY_ALLOW) != 0) return true;
        return !(selected(dst, 0) || (svc != 0 && selected(0, svc)) || selected(0, 0));
    }

    private int rule(int dst, int svc, int src, int port) {
        Bytes v = plan.entries(KernelMap.POLICY).get(Encode.policyKey(dst, svc, src, port));
        return v == null ? 0 : (int) new StructReader(KernelLayouts.U32, v.toArray()).u32("value");
    }

    private boolean selected(int dst, int svc) {
        return plan.entries(KernelMap.POLICY_SELECTED).containsKey(Encode.selectedKey(dst, svc));
    }

    Optional<Encode.ServiceValue> service(String vip, int port, int proto) {
        NavigableMap<Bytes, Bytes> services = plan.entries(KernelMap.SERVICES);
        Bytes v = services.get(Encode.serviceKey(Addresses.toKernel(vip), port, proto));
        return Optional.ofNullable(v).map(Encode::decodeServiceValue);
    }

    /** The backend address in a slot, as connect4/6 reads it. */
    Optional<String> backend(int backendSet, int slot) {
        Bytes v = plan.entries(KernelMap.BACKENDS).get(Encode.backendKey(backendSet, slot));
        return Optional.ofNullable(v)
                .map(b -> Addresses.fromKernel(new StructReader(KernelLayouts.BACKEND_VALUE, b.toArray()).bytes("ip")));
    }

    int backendIdentity(int backendSet, int slot) {
        Bytes v = plan.entries(KernelMap.BACKENDS).get(Encode.backendKey(backendSet, slot));
        return (int) new StructReader(KernelLayouts.BACKEND_VALUE, v.toArray()).u32("identity");
    }

    Optional<Integer> maglevSlot(int backendSet, int index) {
        Bytes v = plan.entries(KernelMap.MAGLEV).get(Encode.maglevKey(backendSet, index));
        return Optional.ofNullable(v).map(b -> (int) new StructReader(KernelLayouts.U32, b.toArray()).u32("value"));
    }
}
