package io.nodemesh.ebpf.internal.abi;

import java.util.List;

/**
 * Every struct of {@code bpf/nodemesh.h}, field by field in declaration order (padding fields included). Scalar keys
 * and values ({@code __u32}, {@code __u64}) are one-field layouts named after the map's comment in the header.
 */
public final class KernelLayouts {
    private KernelLayouts() {}

    public static final StructLayout CONFIG = StructLayout.of(
            "nm_config",
            "layout_version",
            4,
            "flags",
            4,
            "proxy_ip",
            16,
            "proxy_port",
            2,
            "pad0",
            2,
            "policy_generation",
            4);
    public static final StructLayout SOCK_KEY =
            StructLayout.of("nm_sock_key", "local_ip", 16, "remote_ip", 16, "local_port", 4, "remote_port", 4);
    public static final StructLayout SOCK_INFO =
            StructLayout.of("nm_sock_info", "service_id", 4, "flags", 4, "identity", 4, "policy_generation", 4);
    public static final StructLayout IP_KEY = StructLayout.of("nm_ip_key", "ip", 16);
    public static final StructLayout IP_INFO = StructLayout.of("nm_ip_info", "identity", 4, "flags", 4);
    public static final StructLayout SERVICE_KEY =
            StructLayout.of("nm_service_key", "vip", 16, "port", 2, "proto", 1, "pad0", 1);
    public static final StructLayout SERVICE_VALUE = StructLayout.of(
            "nm_service_value",
            "service_id",
            4,
            "backend_set",
            4,
            "backend_count",
            4,
            "affinity_timeout_s",
            4,
            "maglev_size",
            4,
            "target_port",
            2,
            "lb",
            1,
            "flags",
            1);
    public static final StructLayout BACKEND_KEY = StructLayout.of("nm_backend_key", "backend_set", 4, "slot", 4);
    public static final StructLayout BACKEND_VALUE =
            StructLayout.of("nm_backend_value", "ip", 16, "identity", 4, "flags", 4);
    public static final StructLayout MAGLEV_KEY = StructLayout.of("nm_maglev_key", "backend_set", 4, "index", 4);
    public static final StructLayout AFFINITY_KEY =
            StructLayout.of("nm_affinity_key", "client_ip", 16, "backend_set", 4, "pad0", 4);
    public static final StructLayout AFFINITY_VALUE =
            StructLayout.of("nm_affinity_value", "last_used_ns", 8, "backend_ip", 16, "slot", 4, "pad0", 4);
    public static final StructLayout REVNAT_VALUE = StructLayout.of(
            "nm_revnat_value", "vip", 16, "backend_ip", 16, "vip_port", 2, "backend_port", 2, "service_id", 4);
    /** nm_orig_dst value: the VIP a connection steered to the node proxy was addressed to (steering.bpf.c). */
    public static final StructLayout ORIG_DST =
            StructLayout.of("nm_orig_dst", "vip", 16, "vip_port", 2, "pad0", 2, "service_id", 4);
    /** nm_udp_stale key: a (service, backend) pair an apply took away (udp_reap.bpf.c). */
    public static final StructLayout UDP_STALE_KEY =
            StructLayout.of("nm_udp_stale_key", "backend_ip", 16, "service_id", 4, "backend_port", 2, "pad0", 2);
    /** nm_udp_peers key: a peer that sent to a UDP socket, recorded by recvmsg4/6 (service.bpf.c; kernel-only). */
    public static final StructLayout UDP_PEER_KEY =
            StructLayout.of("nm_udp_peer_key", "cookie", 8, "ip", 16, "port", 2, "pad0", 2, "pad1", 4);

    public static final StructLayout POLICY_KEY = StructLayout.of(
            "nm_policy_key", "dst_identity", 4, "service_id", 4, "src_identity", 4, "port", 2, "pad0", 2);
    public static final StructLayout SELECTED_KEY =
            StructLayout.of("nm_selected_key", "dst_identity", 4, "service_id", 4);
    public static final StructLayout EVENT = StructLayout.of(
            "nm_event",
            "timestamp_ns",
            8,
            "cookie",
            8,
            "bytes",
            8,
            "src_ip",
            16,
            "dst_ip",
            16,
            "backend_ip",
            16,
            "src_port",
            2,
            "dst_port",
            2,
            "backend_port",
            2,
            "type",
            1,
            "verdict",
            1,
            "path",
            1,
            "proto",
            1,
            "pad0",
            2,
            "src_identity",
            4,
            "dst_identity",
            4,
            "service_id",
            4);

    /** Scalar keys/values. */
    public static final StructLayout U32 = StructLayout.of("__u32", "value", 4);

    public static final StructLayout U64 = StructLayout.of("__u64", "value", 8);

    /** Every struct the C header declares (the layout test walks this list). */
    public static final List<StructLayout> STRUCTS = List.of(
            CONFIG,
            SOCK_KEY,
            SOCK_INFO,
            IP_KEY,
            IP_INFO,
            SERVICE_KEY,
            SERVICE_VALUE,
            BACKEND_KEY,
            BACKEND_VALUE,
            MAGLEV_KEY,
            AFFINITY_KEY,
            AFFINITY_VALUE,
            REVNAT_VALUE,
            ORIG_DST,
            UDP_STALE_KEY,
            UDP_PEER_KEY,
            POLICY_KEY,
            SELECTED_KEY,
            EVENT);
}
