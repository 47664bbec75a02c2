package io.nodemesh.ebpf.internal.abi;

/** The constants of {@code bpf/nodemesh.h}; a unit test compares each with the C preprocessor's value. */
public final class KernelAbi {
    private KernelAbi() {}

    public static final int LAYOUT_VERSION = 5;

    public static final int IDENTITY_ANY = 0;
    public static final int IDENTITY_HOST = 1;
    public static final int IDENTITY_FIRST_WORKLOAD = 2;

    public static final int IP_F_LOCAL = 0x1;

    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    public static final int LB_RANDOM = 0;
    public static final int LB_ROUND_ROBIN = 1;
    public static final int LB_MAGLEV = 2;

    public static final int SVC_F_L7 = 0x1;
    public static final int SVC_F_AFFINITY = 0x2;

    public static final int BACKEND_F_LOCAL = 0x1;

    public static final int POLICY_ALLOW = 0x1;
    public static final int POLICY_DENY = 0x2;

    public static final int CFG_F_REDIRECT = 0x1;
    public static final int CFG_F_POLICY = 0x2;
    public static final int CFG_F_LB = 0x4;
    public static final int CFG_F_MSG_EVENTS = 0x8;

    public static final int SOCK_F_CLIENT = 0x1;
    public static final int SOCK_F_SERVER = 0x2;
    public static final int SOCK_F_ALLOWED = 0x8;

    /** getsockopt options steering.bpf.c answers for the node proxy (SO_ORIGINAL_DST, IP6T_SO_ORIGINAL_DST). */
    public static final int SOL_IP = 0;

    public static final int SOL_IPV6 = 41;
    public static final int SO_ORIGINAL_DST = 80;
    public static final int IP6T_SO_ORIGINAL_DST = 80;

    /** nm_event.type = FlowEvent.Type ordinal + 1. */
    public static final int EV_CONNECT = 1;

    public static final int EV_TRANSLATE = 2;
    public static final int EV_REDIRECT = 3;
    public static final int EV_DROP = 4;
    public static final int EV_CLOSE = 5;

    /** nm_event.verdict = io.nodemesh.api.Verdict ordinal. */
    public static final int VERDICT_FORWARDED = 0;

    public static final int VERDICT_DROPPED_POLICY = 1;
    public static final int VERDICT_NO_BACKEND = 2;

    /** nm_event.path = io.nodemesh.api.FlowPath ordinal. */
    public static final int PATH_SOCKET_REDIRECT = 0;

    public static final int PATH_KERNEL_STACK = 1;
    public static final int PATH_NODE_PROXY = 2;
    public static final int PATH_ENCRYPTED_TUNNEL = 3;
    public static final int PATH_NONE = 4;

    /** Default max_entries of the maps (maps.h). */
    public static final int MAX_SOCKETS = 65536;

    public static final int MAX_IDENTITIES = 65536;
    public static final int MAX_SERVICES = 10000;
    public static final int MAX_BACKEND_SETS = 2 * MAX_SERVICES + 1;
    public static final int MAX_VIP_PORTS = 65536;
    public static final int MAX_BACKENDS = 262144;
    public static final int MAX_MAGLEV = 262144;
    public static final int MAX_POLICY = 65536;
    public static final int MAX_AFFINITY = 65536;
    public static final int MAX_REVNAT = 262144;
    public static final int MAX_ORIG_DST = 65536;
    /** nm_udp_peers entries: UDP peers that sent to a socket, whose datagrams back are replies (service.bpf.c). */
    public static final int MAX_UDP_PEERS = 65536;
    /** nm_udp_stale entries (udp_reap.bpf.o's private map): stale backends handled per iterator run. */
    public static final int MAX_UDP_STALE = 4096;

    public static final int MAX_PROXY_CGROUPS = 16;
    public static final int EVENTS_BYTES = 4 * 1024 * 1024;
    public static final int MAX_BACKENDS_PER_SERVICE = 1024;
}
