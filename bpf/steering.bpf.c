// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Original destination for the node proxy. connect4/6 steer a connection to an L7 service to the node proxy
 * (nm_config.proxy_ip:proxy_port), so the proxy's accepted socket only shows its own address. A proxy such as
 * Envoy (original_dst listener filter) asks the kernel for the address the client really dialled with
 * getsockopt(SOL_IP, SO_ORIGINAL_DST) / getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST), which netfilter answers from
 * a REDIRECT rule's conntrack entry. There is no such rule here, so:
 *
 *  - nm_steer_ops (sockops), when the client's connection is established, finds its nm_revnat entry by socket
 *    cookie; if connect4/6 sent it to the proxy, it files the VIP in nm_orig_dst under the 4-tuple as the proxy's
 *    accepted socket will see it. Established is reached before the client's final ACK leaves, so the entry exists
 *    before the proxy can accept the connection.
 *  - nm_orig_dst_get (cgroup/getsockopt) runs after the kernel's own getsockopt; for those two options on a socket
 *    found in nm_orig_dst it replaces the kernel's answer (ENOENT/ENOPROTOOPT, or a conntrack entry's) with the VIP.
 *    Every other call, and those options on any other socket, keep the kernel's answer untouched.
 *  - The proxy's socket removes its entry when it closes; the map is an LRU, so proxies outside the attached cgroup
 *    (whose close we never see) cannot fill it up.
 */
#include "common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NM_AF_INET    2
#define NM_AF_INET6   10
#define NM_TCP_CLOSE  7    /* BPF_TCP_CLOSE */
#define NM_PAGE_SIZE  4096 /* the most of optval a sockopt program sees */
/* optlen and retval are adjacent 4-byte context fields: clang may merge two stores into one 8-byte store, which the
 * verifier refuses ("invalid bpf_context access"); volatile keeps them separate. */
#define NM_CTX_SET(field, v) (*(volatile __s32 *)&(field) = (v))

/* The socket's own view (local, remote) from a sock_ops context; remote_port is network order in the upper half. */
static __always_inline void nm_ops_key(struct nm_sock_key *key, struct bpf_sock_ops *ops)
{
    if (ops->family == NM_AF_INET) {
        nm_v4mapped(key->local_ip, ops->local_ip4);
        nm_v4mapped(key->remote_ip, ops->remote_ip4);
    } else {
        nm_copy_ip6(key->local_ip, NM_CTX32(ops->local_ip6[0]), NM_CTX32(ops->local_ip6[1]),
                    NM_CTX32(ops->local_ip6[2]), NM_CTX32(ops->local_ip6[3]));
        nm_copy_ip6(key->remote_ip, NM_CTX32(ops->remote_ip6[0]), NM_CTX32(ops->remote_ip6[1]),
                    NM_CTX32(ops->remote_ip6[2]), NM_CTX32(ops->remote_ip6[3]));
    }
    key->local_port = ops->local_port;
    key->remote_port = bpf_ntohl(ops->remote_port);
}

static __always_inline int nm_is_node_proxy(struct nm_config *cfg, const __u8 ip[16], __u32 port)
{
    return cfg && cfg->proxy_port && port == cfg->proxy_port && nm_ip_equal(ip, cfg->proxy_ip);
}

/* Client side, connection established: was it steered to the proxy? Then file its VIP for the proxy's side. */
static __always_inline void nm_steer_client(struct bpf_sock_ops *ops)
{
    struct nm_config *cfg = nm_cfg();
    if (!cfg || !cfg->proxy_port)
        return;
    struct nm_sock_key own = {};
    nm_ops_key(&own, ops);
    if (!nm_is_node_proxy(cfg, own.remote_ip, own.remote_port))
        return;
    __u64 cookie = bpf_get_socket_cookie(ops);
    struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
    /* a direct connection to the proxy has no revnat entry, or one naming another backend: nothing to recover */
    if (!rn || rn->backend_port != own.remote_port || !nm_ip_equal(rn->backend_ip, own.remote_ip))
        return;
    struct nm_sock_key proxy_side = { .local_port = own.remote_port, .remote_port = own.local_port };
    __builtin_memcpy(proxy_side.local_ip, own.remote_ip, 16);
    __builtin_memcpy(proxy_side.remote_ip, own.local_ip, 16);
    struct nm_orig_dst od = { .vip_port = rn->vip_port, .service_id = rn->service_id };
    __builtin_memcpy(od.vip, rn->vip, 16);
    bpf_map_update_elem(&nm_orig_dst, &proxy_side, &od, BPF_ANY);
}

/* Proxy side, accepted: ask for the close callback, where its entry is removed. */
static __always_inline void nm_steer_proxy_accepted(struct bpf_sock_ops *ops)
{
    struct nm_config *cfg = nm_cfg();
    struct nm_sock_key own = {};
    nm_ops_key(&own, ops);
    if (nm_is_node_proxy(cfg, own.local_ip, own.local_port))
        bpf_sock_ops_cb_flags_set(ops, ops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
}

SEC("sockops")
int nm_steer_ops(struct bpf_sock_ops *ops)
{
    switch (ops->op) {
    case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
        nm_steer_client(ops);
        break;
    case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
        nm_steer_proxy_accepted(ops);
        break;
    case BPF_SOCK_OPS_STATE_CB:
        /* other programs may have asked for state callbacks on this socket too: deleting a missing key is harmless */
        if (ops->args[1] == NM_TCP_CLOSE) {
            struct nm_sock_key own = {};
            nm_ops_key(&own, ops);
            bpf_map_delete_elem(&nm_orig_dst, &own);
        }
        break;
    }
    return 1;
}

/* The socket's own view from a getsockopt context (struct bpf_sock: src_port host order, dst_port network order). */
static __always_inline int nm_sk_key(struct nm_sock_key *key, struct bpf_sock *sk)
{
    if (sk->family == NM_AF_INET) {
        nm_v4mapped(key->local_ip, sk->src_ip4);
        nm_v4mapped(key->remote_ip, sk->dst_ip4);
    } else if (sk->family == NM_AF_INET6) {
        nm_copy_ip6(key->local_ip, NM_CTX32(sk->src_ip6[0]), NM_CTX32(sk->src_ip6[1]), NM_CTX32(sk->src_ip6[2]),
                    NM_CTX32(sk->src_ip6[3]));
        nm_copy_ip6(key->remote_ip, NM_CTX32(sk->dst_ip6[0]), NM_CTX32(sk->dst_ip6[1]), NM_CTX32(sk->dst_ip6[2]),
                    NM_CTX32(sk->dst_ip6[3]));
    } else {
        return 0;
    }
    key->local_port = sk->src_port;
    key->remote_port = bpf_ntohs(sk->dst_port);
    return 1;
}

/* struct sockaddr_in / sockaddr_in6 as the kernel's SO_ORIGINAL_DST writes them (16 / 28 bytes). */
struct nm_sockaddr_in {
    __u16 family;
    __be16 port;
    __u32 addr;
    __u8 zero[8];
};
struct nm_sockaddr_in6 {
    __u16 family;
    __be16 port;
    __u32 flowinfo;
    __u8 addr[16];
    __u32 scope_id;
};

SEC("cgroup/getsockopt")
int nm_orig_dst_get(struct bpf_sockopt *ctx)
{
    int v4 = ctx->level == NM_SOL_IP && ctx->optname == NM_SO_ORIGINAL_DST;
    int v6 = ctx->level == NM_SOL_IPV6 && ctx->optname == NM_IP6T_SO_ORIGINAL_DST;
    if (!v4 && !v6) {
        /* not ours: above a page the kernel only showed us part of optval; 0 tells it to keep its own answer */
        if (ctx->optlen > NM_PAGE_SIZE)
            NM_CTX_SET(ctx->optlen, 0);
        return 1;
    }
    struct bpf_sock *sk = ctx->sk;
    struct nm_sock_key key = {};
    if (!sk || !nm_sk_key(&key, sk))
        return 1;
    struct nm_orig_dst *od = bpf_map_lookup_elem(&nm_orig_dst, &key);
    if (!od)
        return 1; /* not a steered connection: the kernel's answer stands */

    void *end = (void *)(long)ctx->optval_end;
    if (v4) {
        struct nm_sockaddr_in *sa = (void *)(long)ctx->optval;
        /* an IPv6 VIP has no sockaddr_in; a too-small buffer gets the kernel's answer (as netfilter, EINVAL) */
        if (!nm_is_v4mapped(od->vip) || (void *)(sa + 1) > end || ctx->optlen < (int)sizeof(*sa))
            return 1;
        __builtin_memset(sa, 0, sizeof(*sa));
        sa->family = NM_AF_INET;
        sa->port = bpf_htons(od->vip_port);
        sa->addr = nm_v4_of(od->vip);
        NM_CTX_SET(ctx->optlen, sizeof(*sa));
    } else {
        struct nm_sockaddr_in6 *sa6 = (void *)(long)ctx->optval;
        if ((void *)(sa6 + 1) > end || ctx->optlen < (int)sizeof(*sa6))
            return 1;
        __builtin_memset(sa6, 0, sizeof(*sa6));
        sa6->family = NM_AF_INET6;
        sa6->port = bpf_htons(od->vip_port);
        __builtin_memcpy(sa6->addr, od->vip, 16); /* an IPv4 VIP stays v4-mapped, as for a dual-stack socket */
        NM_CTX_SET(ctx->optlen, sizeof(*sa6));
    }
    NM_CTX_SET(ctx->retval, 0);
    return 1;
}
