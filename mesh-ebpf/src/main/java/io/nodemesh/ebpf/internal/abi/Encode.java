package io.nodemesh.ebpf.internal.abi;

import static io.nodemesh.ebpf.internal.abi.KernelLayouts.*;

/** The exact bytes of each map key and value of {@code bpf/nodemesh.h}, one method per struct. */
public final class Encode {
    private Encode() {}

    private static final StructLayout.Field U32_VALUE = U32.field("value");
    private static final StructLayout.Field U64_VALUE = U64.field("value");

    public static Bytes u32(long value) {
        return new StructWriter(U32).u32(U32_VALUE, value).build();
    }

    public static Bytes u64(long value) {
        return new StructWriter(U64).u64(U64_VALUE, value).build();
    }

    public static Bytes config(int flags, byte[] proxyIp, int proxyPort, long policyGeneration) {
        return new StructWriter(CONFIG)
                .u32(CONFIG.field("layout_version"), KernelAbi.LAYOUT_VERSION)
                .u32(CONFIG.field("flags"), flags)
                .bytes(CONFIG.field("proxy_ip"), proxyIp)
                .u16(CONFIG.field("proxy_port"), proxyPort)
                .u32(CONFIG.field("policy_generation"), policyGeneration)
                .build();
    }

    public static Bytes ipKey(byte[] ip) {
        return new StructWriter(IP_KEY).bytes(IP_KEY.field("ip"), ip).build();
    }

    public static Bytes ipInfo(int identity, int flags) {
        return new StructWriter(IP_INFO)
                .u32(IP_INFO.field("identity"), identity)
                .u32(IP_INFO.field("flags"), flags)
                .build();
    }

    public static Bytes serviceKey(byte[] vip, int port, int proto) {
        return new StructWriter(SERVICE_KEY)
                .bytes(SERVICE_KEY.field("vip"), vip)
                .u16(SERVICE_KEY.field("port"), port)
                .u8(SERVICE_KEY.field("proto"), proto)
                .build();
    }

    /** The decoded form of an nm_service_value. */
    public record ServiceValue(
            int serviceId,
            int backendSet,
            int backendCount,
            long affinityTimeoutSeconds,
            int maglevSize,
            int targetPort,
            int lb,
            int flags) {}

    public static Bytes serviceValue(ServiceValue v) {
        return new StructWriter(SERVICE_VALUE)
                .u32(SERVICE_VALUE.field("service_id"), v.serviceId())
                .u32(SERVICE_VALUE.field("backend_set"), v.backendSet())
                .u32(SERVICE_VALUE.field("backend_count"), v.backendCount())
                .u32(SERVICE_VALUE.field("affinity_timeout_s"), v.affinityTimeoutSeconds())
                .u32(SERVICE_VALUE.field("maglev_size"), v.maglevSize())
                .u16(SERVICE_VALUE.field("target_port"), v.targetPort())
                .u8(SERVICE_VALUE.field("lb"), v.lb())
                .u8(SERVICE_VALUE.field("flags"), v.flags())
                .build();
    }

    public static ServiceValue decodeServiceValue(Bytes bytes) {
        var r = new StructReader(SERVICE_VALUE, bytes.toArray());
        return new ServiceValue(
                (int) r.u32("service_id"),
                (int) r.u32("backend_set"),
                (int) r.u32("backend_count"),
                r.u32("affinity_timeout_s"),
                (int) r.u32("maglev_size"),
                r.u16("target_port"),
                r.u8("lb"),
                r.u8("flags"));
    }

    /** nm_udp_stale key: {@code backendIp} is the 16-byte kernel form, {@code backendPort} host order. */
    public static Bytes udpStaleKey(byte[] backendIp, int serviceId, int backendPort) {
        return new StructWriter(UDP_STALE_KEY)
                .bytes(UDP_STALE_KEY.field("backend_ip"), backendIp)
                .u32(UDP_STALE_KEY.field("service_id"), serviceId)
                .u16(UDP_STALE_KEY.field("backend_port"), backendPort)
                .build();
    }

    public static Bytes backendKey(int backendSet, int slot) {
        return new StructWriter(BACKEND_KEY)
                .u32(BACKEND_KEY.field("backend_set"), backendSet)
                .u32(BACKEND_KEY.field("slot"), slot)
                .build();
    }

    public static Bytes backendValue(byte[] ip, int identity, int flags) {
        return new StructWriter(BACKEND_VALUE)
                .bytes(BACKEND_VALUE.field("ip"), ip)
                .u32(BACKEND_VALUE.field("identity"), identity)
                .u32(BACKEND_VALUE.field("flags"), flags)
                .build();
    }

    public static Bytes maglevKey(int backendSet, int index) {
        return new StructWriter(MAGLEV_KEY)
                .u32(MAGLEV_KEY.field("backend_set"), backendSet)
                .u32(MAGLEV_KEY.field("index"), index)
                .build();
    }

    public static Bytes policyKey(int dstIdentity, int serviceId, int srcIdentity, int port) {
        return new StructWriter(POLICY_KEY)
                .u32(POLICY_KEY.field("dst_identity"), dstIdentity)
                .u32(POLICY_KEY.field("service_id"), serviceId)
                .u32(POLICY_KEY.field("src_identity"), srcIdentity)
                .u16(POLICY_KEY.field("port"), port)
                .build();
    }

    public static Bytes selectedKey(int dstIdentity, int serviceId) {
        return new StructWriter(SELECTED_KEY)
                .u32(SELECTED_KEY.field("dst_identity"), dstIdentity)
                .u32(SELECTED_KEY.field("service_id"), serviceId)
                .build();
    }
}
