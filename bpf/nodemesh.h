/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nodemesh kernel data model: every map's key and value, and the constants both sides agree on.
 *
 * This header is shared by the eBPF programs (clang -target bpf) and by plain C tools (gcc), so it only uses
 * <linux/types.h>. The Java side (io.nodemesh.ebpf.internal.plan) encodes the same structs byte for byte; a unit
 * test compiles this header with gcc and compares every offsetof/sizeof with the Java encoders.
 *
 * Rules that keep the Java encoding simple:
 *  - every struct is padded explicitly (no compiler-inserted holes), all fields little-endian host order
 *    (x86-64), except that addresses are 16 raw network-order bytes;
 *  - addresses are 16 bytes everywhere, IPv4 stored v4-mapped (::ffff:a.b.c.d), so one set of maps serves v4, v6 and
 *    v4-mapped v6 sockets;
 *  - ports are in host byte order;
 *  - id 0 always means "none / wildcard".
 *
 * Bump NM_LAYOUT_VERSION whenever a struct or a map definition changes: the agent refuses pinned maps whose
 * nm_config.layout_version differs.
 */
#ifndef NODEMESH_H
#define NODEMESH_H

#include <linux/types.h>

#define NM_LAYOUT_VERSION 5

/* ---- identities -------------------------------------------------------------------------------------------- */
#define NM_IDENTITY_ANY  0 /* unknown, or "any" in a policy key */
#define NM_IDENTITY_HOST 1 /* a process on the node that belongs to no workload, or an address outside the mesh */
#define NM_IDENTITY_FIRST_WORKLOAD 2

/* nm_ip_info.flags */
#define NM_IP_F_LOCAL 0x1 /* the address belongs to a workload on this node */

/* ---- services ---------------------------------------------------------------------------------------------- */
#define NM_PROTO_TCP 6
#define NM_PROTO_UDP 17

/* nm_service_value.lb */
#define NM_LB_RANDOM      0
#define NM_LB_ROUND_ROBIN 1
#define NM_LB_MAGLEV      2

/* nm_service_value.flags */
#define NM_SVC_F_L7       0x1 /* steer to the node proxy (nm_config.proxy_ip/proxy_port) instead of a backend */
#define NM_SVC_F_AFFINITY 0x2 /* client session affinity (SocketLbKey's client), nm_service_value.affinity_timeout_s */

/* nm_backend_value.flags */
#define NM_BACKEND_F_LOCAL 0x1 /* the backend is a workload on this node */

/* ---- policy ------------------------------------------------------------------------------------------------ */
/* nm_policy value bits */
#define NM_POLICY_ALLOW 0x1
#define NM_POLICY_DENY  0x2

/* ---- config ------------------------------------------------------------------------------------------------ */
/* nm_config.flags */
#define NM_CFG_F_REDIRECT   0x1 /* same-node socket redirect (sk_msg) enabled */
#define NM_CFG_F_POLICY     0x2 /* identity policy enforced */
#define NM_CFG_F_LB         0x4 /* socket-level service load balancing enabled */
#define NM_CFG_F_MSG_EVENTS 0x8 /* an event per redirected message (costly; off by default) */

/* ---- flow events ------------------------------------------------------------------------------------------- */
/* nm_event.type: FlowEvent.Type ordinal + 1 (0 is never sent) */
#define NM_EV_CONNECT   1
#define NM_EV_TRANSLATE 2
#define NM_EV_REDIRECT  3
#define NM_EV_DROP      4
#define NM_EV_CLOSE     5

/* nm_event.verdict: io.nodemesh.api.Verdict ordinal */
#define NM_VERDICT_FORWARDED      0
#define NM_VERDICT_DROPPED_POLICY 1
#define NM_VERDICT_NO_BACKEND     2

/* nm_event.path: io.nodemesh.api.FlowPath ordinal */
#define NM_PATH_SOCKET_REDIRECT  0
#define NM_PATH_KERNEL_STACK     1
#define NM_PATH_NODE_PROXY       2
#define NM_PATH_ENCRYPTED_TUNNEL 3
#define NM_PATH_NONE             4

/* ---- default capacities (max_entries); the agent may override them before load --------------------------- */
#define NM_MAX_SOCKETS     65536
#define NM_MAX_IDENTITIES  65536 /* entries of each identity map */
#define NM_MAX_SERVICES    10000 /* Service objects; ids are 1..NM_MAX_SERVICES */
#define NM_MAX_BACKEND_SETS (2 * NM_MAX_SERVICES + 1) /* one per service and family; nm_rr is indexed by it */
#define NM_MAX_VIP_PORTS   65536 /* nm_services entries: vips x ports over all services */
#define NM_MAX_BACKENDS    262144
#define NM_MAX_MAGLEV      262144 /* nm_maglev entries: sum of maglev_size over Maglev services */
#define NM_MAX_POLICY      65536
#define NM_MAX_AFFINITY    65536
#define NM_MAX_REVNAT      262144
#define NM_MAX_ORIG_DST    65536 /* steered connections whose proxy may still ask for the original VIP */
#define NM_EVENTS_BYTES    (4 * 1024 * 1024)
#define NM_MAX_BACKENDS_PER_SERVICE 1024 /* slots a single service may have; bounds the kernel's slot loop */

/* ---- map keys and values ------------------------------------------------------------------------------------ */

/* nm_config (ARRAY, 1 entry, key __u32 0) */
struct nm_config {
    __u32 layout_version; /* NM_LAYOUT_VERSION of whoever wrote the maps */
    __u32 flags;          /* NM_CFG_F_* */
    __u8  proxy_ip[16];   /* node proxy address (v4-mapped for IPv4); used for NM_SVC_F_L7 services */
    __u16 proxy_port;     /* node proxy port, 0 = no node proxy */
    __u16 pad0;
    __u32 policy_generation; /* changes whenever policy or identities change: sk_msg re-checks cached verdicts */
};                        /* 32 bytes */

/* nm_sockhash (SOCKHASH) and nm_sock_info (HASH): an established TCP socket, from its own point of view */
struct nm_sock_key {
    __u8  local_ip[16];
    __u8  remote_ip[16];
    __u32 local_port;     /* host order */
    __u32 remote_port;    /* host order */
};                        /* 40 bytes */

/* nm_sock_info value: what sockops learned about the socket when it was established */
#define NM_SOCK_F_CLIENT 0x1 /* active open (connect) */
#define NM_SOCK_F_SERVER 0x2 /* passive open (accept) */
#define NM_SOCK_F_ALLOWED 0x8 /* cached policy verdict, valid while policy_generation is current */
struct nm_sock_info {
    __u32 service_id;     /* the service the client addressed (from nm_revnat), 0 = direct */
    __u32 flags;          /* NM_SOCK_F_* */
    __u32 identity;       /* identity of the workload (or host) that owns this socket */
    __u32 policy_generation; /* nm_config.policy_generation when NM_SOCK_F_ALLOWED was computed, 0 = never */
};                        /* 16 bytes */

/* nm_netns_identity (HASH): __u64 netns cookie -> __u32 identity */
/* nm_cgroup_identity (HASH): __u64 cgroup v2 id -> __u32 identity */
/* nm_netns_addr (HASH): __u64 netns cookie -> struct nm_ip_key, the pod's address (IPv4 if it has one): flow events
 * of connect/sendmsg name the client by it, since its socket has no source address yet at that point */

/* nm_ip_identity (HASH) */
struct nm_ip_key {
    __u8 ip[16];
};                        /* 16 bytes */
struct nm_ip_info {
    __u32 identity;
    __u32 flags;          /* NM_IP_F_* */
};                        /* 8 bytes */

/* nm_services (HASH): one entry per (vip, port, protocol) */
struct nm_service_key {
    __u8  vip[16];
    __u16 port;           /* host order */
    __u8  proto;          /* NM_PROTO_* */
    __u8  pad0;
};                        /* 20 bytes */
struct nm_service_value {
    __u32 service_id;         /* 1..; shared by every vip/port of one Service (policy, flows) */
    __u32 backend_set;        /* 1..; the Service's ready backends of the VIP's address family (nm_backends,
                                 nm_maglev, nm_rr, nm_affinity are keyed by it) */
    __u32 backend_count;      /* ready backends: slots 0..backend_count-1 of nm_backends */
    __u32 affinity_timeout_s; /* with NM_SVC_F_AFFINITY */
    __u32 maglev_size;        /* with NM_LB_MAGLEV: entries 0..maglev_size-1 of nm_maglev */
    __u16 target_port;        /* backend port, host order */
    __u8  lb;                 /* NM_LB_* */
    __u8  flags;              /* NM_SVC_F_* */
};                            /* 24 bytes */

/* nm_backends (HASH): the ready backends of a service, by slot */
struct nm_backend_key {
    __u32 backend_set;
    __u32 slot;
};                        /* 8 bytes */
struct nm_backend_value {
    __u8  ip[16];
    __u32 identity;       /* the backend workload's identity, NM_IDENTITY_HOST outside the mesh */
    __u32 flags;          /* NM_BACKEND_F_* */
};                        /* 24 bytes */

/* nm_maglev (HASH): Maglev lookup table of a service, built in Java: index -> slot (__u32) */
struct nm_maglev_key {
    __u32 backend_set;
    __u32 index;          /* 0..maglev_size-1 */
};                        /* 8 bytes */

/* nm_rr (ARRAY, index = backend set): __u32 round-robin counter, bumped atomically per new socket */

/* nm_affinity (LRU_HASH). The client is the address SocketLbKey keys it by (service.bpf.c nm_client_addr: the pod's
 * address from its netns, else the bound source address, else zero): a socket has no source address yet at connect
 * time. The simulator remembers by the same address, so affinity means the same in both. */
struct nm_affinity_key {
    __u8  client_ip[16];
    __u32 backend_set;
    __u32 pad0;
};                        /* 24 bytes */
struct nm_affinity_value {
    __u64 last_used_ns;   /* bpf_ktime_get_ns() of the last connection */
    __u8  backend_ip[16]; /* checked against the slot on reuse, so a reshuffled slot is never trusted blindly */
    __u32 slot;
    __u32 pad0;
};                        /* 32 bytes */

/* nm_revnat (LRU_HASH): __u64 socket cookie -> the address the application asked for */
struct nm_revnat_value {
    __u8  vip[16];
    __u8  backend_ip[16];
    __u16 vip_port;       /* host order */
    __u16 backend_port;   /* host order */
    __u32 service_id;
};                        /* 40 bytes */

/*
 * nm_udp_stale (HASH, private to udp_reap.bpf.o, filled by the agent right before it runs the iterator): a backend a
 * service no longer offers. A connected UDP socket whose nm_revnat entry names it (and whose peer still is it) is
 * destroyed, so the application sees an error and reconnects through connect4 to a live backend.
 */
struct nm_udp_stale_key {
    __u8  backend_ip[16];
    __u32 service_id;
    __u16 backend_port;   /* host order */
    __u16 pad0;
};                        /* 24 bytes */
#define NM_MAX_UDP_STALE 4096 /* backends removed by one apply; more are handled in several runs */

/*
 * nm_udp_peers (LRU_HASH): {socket, peer} -> __u64 bpf_ktime_get_ns() of the last datagram recvmsg4/6 delivered to
 * that socket from that peer. sendmsg4/6 lets a datagram back to a recorded peer pass with no new policy decision:
 * it is the reply of a flow whose request was already judged (MeshIndex.allows and the simulator treat request and
 * reply as one flow, as TCP's accepted sockets do). Socket cookies are never reused, so a closed socket's entries are
 * inert until the LRU evicts them.
 */
struct nm_udp_peer_key {
    __u64 cookie;         /* the receiving socket */
    __u8  ip[16];         /* the peer as the kernel saw it (a backend's own address, never a VIP) */
    __u16 port;           /* host order */
    __u16 pad0;
    __u32 pad1;
};                        /* 32 bytes */
#define NM_MAX_UDP_PEERS 65536

/* nm_policy (HASH): rule key -> NM_POLICY_* bits; 0 in any field = wildcard */
struct nm_policy_key {
    __u32 dst_identity;
    __u32 service_id;
    __u32 src_identity;
    __u16 port;           /* destination (backend target) port, host order */
    __u16 pad0;
};                        /* 16 bytes */

/* nm_policy_selected (HASH): {dst|0, service|0} -> __u32 1 when some ALLOW policy selects it (default-deny) */
struct nm_selected_key {
    __u32 dst_identity;
    __u32 service_id;
};                        /* 8 bytes */

/* nm_events (RINGBUF) records */
struct nm_event {
    __u64 timestamp_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
    __u64 cookie;         /* socket cookie, 0 if none */
    __u64 bytes;
    __u8  src_ip[16];
    __u8  dst_ip[16];     /* as addressed (the VIP for a service) */
    __u8  backend_ip[16]; /* after translation; all zero when none was chosen */
    __u16 src_port;
    __u16 dst_port;
    __u16 backend_port;
    __u8  type;           /* NM_EV_* */
    __u8  verdict;        /* NM_VERDICT_* */
    __u8  path;           /* NM_PATH_* */
    __u8  proto;          /* NM_PROTO_* */
    __u16 pad0;
    __u32 src_identity;
    __u32 dst_identity;
    __u32 service_id;
};                        /* 96 bytes */

/* nm_lost (PERCPU_ARRAY, 1 entry): __u64 count of events bpf_ringbuf_output could not place */

/* Original-destination steering (steering.bpf.c). A connection to an L7 service is steered by connect4/6 to the node
 * proxy; when it is established, sockops files the VIP it was addressed to under the 4-tuple as the proxy's accepted
 * socket sees it, and cgroup/getsockopt answers the proxy's getsockopt(SOL_IP, SO_ORIGINAL_DST) (or SOL_IPV6,
 * IP6T_SO_ORIGINAL_DST) from it, the way a REDIRECT rule's conntrack entry would. */
#define NM_SOL_IP               0
#define NM_SOL_IPV6             41
#define NM_SO_ORIGINAL_DST      80 /* linux/netfilter_ipv4.h */
#define NM_IP6T_SO_ORIGINAL_DST 80 /* linux/netfilter_ipv6/ip6_tables.h */

/* nm_proxy_cgroups (HASH): __u64 cgroup-v2 id of the node proxy's processes -> __u32 1 (agent, ebpf.proxyCgroup).
 * The proxy's own connections to an L7 service are balanced to a backend like an L4 service's instead of being
 * steered back into the proxy (Envoy's ORIGINAL_DST passthrough would otherwise loop). */
#define NM_MAX_PROXY_CGROUPS 16

/* nm_orig_dst (LRU_HASH): struct nm_sock_key from the proxy's side (local = proxy, remote = client) -> */
struct nm_orig_dst {
    __u8  vip[16];        /* the address the client connected to (v4-mapped for IPv4) */
    __u16 vip_port;       /* host order */
    __u16 pad0;
    __u32 service_id;
};                        /* 24 bytes */

#endif /* NODEMESH_H */
