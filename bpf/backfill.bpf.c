// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sockets established before the programs were attached never passed sockops, so they are not in nm_sockhash and
 * sk_msg never sees them. The agent runs this iter/tcp program once in the host namespace and in every pod namespace
 * of the node after an apply (see SocketBackfill): for each established TCP socket it does what nm_established in
 * redirect.bpf.c would have done — same conditions (a workload of this node at one end, not the node proxy), same
 * key, same nm_sock_info — adds it to nm_sockhash, and asks for the state callback so nm_closed forgets it on close.
 * It prints one line per socket it added, which the agent counts. Sockets already known (sockops saw them) are left.
 *
 * Only sockets of processes under the attach cgroup root are considered, as sockops only sees those: the socket's
 * cgroup (sk_cgrp_data) must have the root (nm_backfill_scope, written by the agent when it loads this object) among
 * its ancestors.
 *
 * Client or server? A socket whose local port is a port this namespace listens on was accepted (server); the TCP
 * iterator walks the listening sockets before the established ones, so they are noted first (nm_backfill_listen).
 *
 * Built against vmlinux.h like udp_reap.bpf.c (iterator contexts and struct sock are not UAPI).
 */
#include "vmlinux.h"
#define _LINUX_TYPES_H
#define __LINUX_BPF_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "nodemesh.h"
#include "maps.h"

#define NM_AF_INET 2
#define NM_AF_INET6 10
#define NM_TCP_ESTABLISHED 1
#define NM_TCP_LISTEN 10
#define NM_SOL_TCP 6
#define NM_TCP_BPF_SOCK_OPS_CB_FLAGS 1008 /* bpf_setsockopt optname, kernel >= 6.14 */

struct nm_listen_key {
    __u64 netns_cookie;
    __u32 port; /* host order */
    __u32 pad0;
};

/* Not pinned: private to this object. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct nm_listen_key);
    __type(value, __u32);
} nm_backfill_listen SEC(".maps");

/* Not pinned: [0] = cgroup-v2 id of the attach root (0 = nothing is in scope). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} nm_backfill_scope SEC(".maps");

#define NM_MAX_CGROUP_DEPTH 32

/*
 * Whether the socket's cgroup is the attach root or below it: the root is one of its ancestors (ancestors[0..level]).
 * Read with bpf_probe_read_kernel: the walk indexes a flexible array, which BTF pointer access does not allow.
 */
static __always_inline int nm_in_scope(struct tcp_sock *tp)
{
    __u32 zero = 0;
    __u64 *root = bpf_map_lookup_elem(&nm_backfill_scope, &zero);
    if (!root || !*root)
        return 0;
    __u64 cg = 0;
    bpf_probe_read_kernel(&cg, sizeof(cg), &tp->inet_conn.icsk_inet.sk.sk_cgrp_data.cgroup);
    if (!cg)
        return 0;
    int level = 0;
    bpf_probe_read_kernel(&level, sizeof(level), (void *)(cg + bpf_core_field_offset(struct cgroup, level)));
    __u64 ancestors = cg + bpf_core_field_offset(struct cgroup, ancestors);
    for (int i = 0; i < NM_MAX_CGROUP_DEPTH; i++) {
        if (i > level)
            break;
        __u64 anc = 0, kn = 0, id = 0;
        bpf_probe_read_kernel(&anc, sizeof(anc), (void *)(ancestors + i * sizeof(__u64)));
        if (!anc)
            break;
        bpf_probe_read_kernel(&kn, sizeof(kn), (void *)(anc + bpf_core_field_offset(struct cgroup, kn)));
        if (!kn)
            break;
        bpf_probe_read_kernel(&id, sizeof(id), (void *)(kn + bpf_core_field_offset(struct kernfs_node, id)));
        if (id == *root)
            return 1;
    }
    return 0;
}

static __always_inline void nm_v4mapped(__u8 out[16], __u32 ip4_be)
{
    __builtin_memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    __builtin_memcpy(out + 12, &ip4_be, 4);
}

static __always_inline int nm_ip_equal(const __u8 a[16], const __u8 b[16])
{
    __u64 a0, a1, b0, b1;
    __builtin_memcpy(&a0, a, 8);
    __builtin_memcpy(&a1, a + 8, 8);
    __builtin_memcpy(&b0, b, 8);
    __builtin_memcpy(&b1, b + 8, 8);
    return a0 == b0 && a1 == b1;
}

static __always_inline int nm_is_proxy(struct nm_config *cfg, const __u8 ip[16], __u32 port)
{
    return cfg->proxy_port && port == cfg->proxy_port && nm_ip_equal(ip, cfg->proxy_ip);
}

static __always_inline struct nm_ip_info *nm_ip(const __u8 ip[16])
{
    struct nm_ip_key key = {};
    __builtin_memcpy(key.ip, ip, 16);
    return bpf_map_lookup_elem(&nm_ip_identity, &key);
}

SEC("iter/tcp")
int nm_backfill(struct bpf_iter__tcp *ctx)
{
    struct sock_common *skc = ctx->sk_common;
    if (!skc)
        return 0;
    __u32 zero = 0;
    struct nm_config *cfg = bpf_map_lookup_elem(&nm_config, &zero);
    if (!cfg || !(cfg->flags & (NM_CFG_F_REDIRECT | NM_CFG_F_POLICY)))
        return 0;
    __u64 netns = skc->skc_net.net->net_cookie;
    struct nm_listen_key lkey = { .netns_cookie = netns, .port = skc->skc_num };
    if (skc->skc_state == NM_TCP_LISTEN) {
        __u32 one = 1;
        bpf_map_update_elem(&nm_backfill_listen, &lkey, &one, BPF_ANY);
        return 0;
    }
    if (skc->skc_state != NM_TCP_ESTABLISHED)
        return 0;
    struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
    if (!tp || !nm_in_scope(tp))
        return 0;

    struct nm_sock_key key = {};
    if (skc->skc_family == NM_AF_INET) {
        nm_v4mapped(key.local_ip, skc->skc_rcv_saddr);
        nm_v4mapped(key.remote_ip, skc->skc_daddr);
    } else if (skc->skc_family == NM_AF_INET6) {
        __builtin_memcpy(key.local_ip, &skc->skc_v6_rcv_saddr, 16);
        __builtin_memcpy(key.remote_ip, &skc->skc_v6_daddr, 16);
    } else {
        return 0;
    }
    key.local_port = skc->skc_num;
    key.remote_port = bpf_ntohs(skc->skc_dport);

    /* the conditions of nm_established: a workload of this node at one end, not the node proxy */
    struct nm_ip_info *local = nm_ip(key.local_ip);
    struct nm_ip_info *remote = nm_ip(key.remote_ip);
    __u32 local_flags = local ? local->flags : 0, remote_flags = remote ? remote->flags : 0;
    if (!((local_flags | remote_flags) & NM_IP_F_LOCAL))
        return 0;
    if (nm_is_proxy(cfg, key.local_ip, key.local_port) || nm_is_proxy(cfg, key.remote_ip, key.remote_port))
        return 0;
    if (bpf_map_lookup_elem(&nm_sock_info, &key))
        return 0; /* sockops saw it */

    __u32 *by_netns = bpf_map_lookup_elem(&nm_netns_identity, &netns);
    __u32 role = bpf_map_lookup_elem(&nm_backfill_listen, &lkey) ? NM_SOCK_F_SERVER : NM_SOCK_F_CLIENT;
    struct nm_sock_info info = { .flags = role,
                                 .identity = by_netns && *by_netns ? *by_netns
                                                                   : (local ? local->identity : NM_IDENTITY_HOST) };
    __u64 cookie = bpf_get_socket_cookie(skc);
    if (role == NM_SOCK_F_CLIENT) {
        struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
        if (rn)
            info.service_id = rn->service_id;
    }
    if ((cfg->flags & NM_CFG_F_REDIRECT) && bpf_map_update_elem(&nm_sockhash, &key, skc, BPF_NOEXIST) != 0)
        return 0;
    bpf_map_update_elem(&nm_sock_info, &key, &info, BPF_NOEXIST);
    /* so that nm_closed (sockops, STATE_CB) removes nm_sock_info when the socket closes, as for any other socket */
    int cb = tp->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG;
    bpf_setsockopt(tp, NM_SOL_TCP, NM_TCP_BPF_SOCK_OPS_CB_FLAGS, &cb, sizeof(cb));
    BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\n", cookie);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
