// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Same-node socket redirect: sockops records every established TCP socket that has a workload of this node at
 * one end in nm_sockhash (and what it learned about it in nm_sock_info); sk_msg then hands each send straight to
 * the peer socket's receive queue when the peer is on this node too, skipping the TCP/IP stack (veth, bridge,
 * netfilter, routing). Sockets of the node proxy are never recorded, so proxied traffic keeps the normal path.
 *
 * Policy is re-checked for redirected traffic: the verdict is cached per socket and recomputed whenever
 * nm_config.policy_generation moves, so a deny applied to an open connection drops its next message.
 */
#include "common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NM_AF_INET  2
#define NM_AF_INET6 10
#define NM_TCP_CLOSE 7 /* BPF_TCP_CLOSE */

/* Fills key from a sock_ops or sk_msg context: remote_port is network order in a u32, local_port host order. */
#define NM_SOCK_KEY(key, ctx)                                                                             \
    do {                                                                                                  \
        if ((ctx)->family == NM_AF_INET) {                                                                \
            nm_v4mapped((key)->local_ip, (ctx)->local_ip4);                                               \
            nm_v4mapped((key)->remote_ip, (ctx)->remote_ip4);                                             \
        } else {                                                                                          \
            nm_copy_ip6((key)->local_ip, NM_CTX32((ctx)->local_ip6[0]), NM_CTX32((ctx)->local_ip6[1]),     \
                        NM_CTX32((ctx)->local_ip6[2]), NM_CTX32((ctx)->local_ip6[3]));                     \
            nm_copy_ip6((key)->remote_ip, NM_CTX32((ctx)->remote_ip6[0]), NM_CTX32((ctx)->remote_ip6[1]),  \
                        NM_CTX32((ctx)->remote_ip6[2]), NM_CTX32((ctx)->remote_ip6[3]));                   \
        }                                                                                                 \
        (key)->local_port = (ctx)->local_port;                                                            \
        (key)->remote_port = bpf_ntohl((ctx)->remote_port);                                               \
    } while (0)

static __always_inline void nm_reverse_key(struct nm_sock_key *out, const struct nm_sock_key *in)
{
    __builtin_memcpy(out->local_ip, in->remote_ip, 16);
    __builtin_memcpy(out->remote_ip, in->local_ip, 16);
    out->local_port = in->remote_port;
    out->remote_port = in->local_port;
}

static __always_inline int nm_is_proxy(struct nm_config *cfg, const __u8 ip[16], __u32 port)
{
    return cfg && cfg->proxy_port && port == cfg->proxy_port && nm_ip_equal(ip, cfg->proxy_ip);
}

/* Connection-direction facts for policy: the client, the server, the service addressed and the server's port. */
struct nm_pair {
    __u32 src;
    __u32 dst;
    __u32 service;
    __u16 port;
};

static __always_inline void nm_pair_of(struct nm_pair *p, const struct nm_sock_key *key, const struct nm_sock_info *own,
                                       const struct nm_sock_info *peer)
{
    if (own->flags & NM_SOCK_F_CLIENT) {
        p->src = own->identity;
        p->dst = peer->identity;
        p->service = own->service_id;
        p->port = (__u16)key->remote_port;
    } else {
        p->src = peer->identity;
        p->dst = own->identity;
        p->service = peer->service_id;
        p->port = (__u16)key->local_port;
    }
}

static __always_inline void nm_pair_event(struct nm_event *ev, const struct nm_sock_key *key, const struct nm_sock_info *own,
                                          const struct nm_pair *p)
{
    /* events are told from the client's side: src = client, dst = server */
    int client = own->flags & NM_SOCK_F_CLIENT;
    __builtin_memcpy(ev->src_ip, client ? key->local_ip : key->remote_ip, 16);
    __builtin_memcpy(ev->dst_ip, client ? key->remote_ip : key->local_ip, 16);
    __builtin_memcpy(ev->backend_ip, ev->dst_ip, 16);
    ev->src_port = (__u16)(client ? key->local_port : key->remote_port);
    ev->dst_port = p->port;
    ev->backend_port = p->port;
    ev->proto = NM_PROTO_TCP;
    ev->src_identity = p->src;
    ev->dst_identity = p->dst;
    ev->service_id = p->service;
}

static __always_inline void nm_established(struct bpf_sock_ops *skops, __u32 role)
{
    struct nm_config *cfg = nm_cfg();
    if (!cfg || !(cfg->flags & (NM_CFG_F_REDIRECT | NM_CFG_F_POLICY)))
        return;
    struct nm_sock_key key = {};
    NM_SOCK_KEY(&key, skops);

    __u32 local_flags = 0, remote_flags = 0;
    __u32 local_id = nm_identity_of_ip(key.local_ip, &local_flags);
    nm_identity_of_ip(key.remote_ip, &remote_flags);
    /* only sockets with a workload of this node at one end: host-to-host traffic is left alone */
    if (!((local_flags | remote_flags) & NM_IP_F_LOCAL))
        return;
    if (nm_is_proxy(cfg, key.local_ip, key.local_port) || nm_is_proxy(cfg, key.remote_ip, key.remote_port))
        return;

    __u32 by_netns = nm_identity_of_netns(bpf_get_netns_cookie(skops));
    struct nm_sock_info info = { .flags = role, .identity = by_netns ? by_netns : local_id };
    if (role == NM_SOCK_F_CLIENT) {
        __u64 cookie = bpf_get_socket_cookie(skops);
        struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
        if (rn)
            info.service_id = rn->service_id;
    }
    bpf_map_update_elem(&nm_sock_info, &key, &info, BPF_ANY);
    if (cfg->flags & NM_CFG_F_REDIRECT)
        bpf_sock_hash_update(skops, &nm_sockhash, &key, BPF_ANY);
    /* to forget the socket when it closes */
    bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);

    /* the second end of a same-node pair to arrive announces the shortcut */
    struct nm_sock_key peer_key = {};
    nm_reverse_key(&peer_key, &key);
    struct nm_sock_info *peer = bpf_map_lookup_elem(&nm_sock_info, &peer_key);
    if (peer && (cfg->flags & NM_CFG_F_REDIRECT)) {
        struct nm_pair p = {};
        struct nm_event ev = { .type = NM_EV_REDIRECT, .verdict = NM_VERDICT_FORWARDED,
                               .path = NM_PATH_SOCKET_REDIRECT, .cookie = bpf_get_socket_cookie(skops) };
        nm_pair_of(&p, &key, &info, peer);
        nm_pair_event(&ev, &key, &info, &p);
        nm_emit(&ev);
    }
}

static __always_inline void nm_closed(struct bpf_sock_ops *skops)
{
    struct nm_sock_key key = {};
    NM_SOCK_KEY(&key, skops);
    struct nm_sock_info *own = bpf_map_lookup_elem(&nm_sock_info, &key);
    if (!own)
        return;
    if (own->flags & NM_SOCK_F_CLIENT) {
        __u64 cookie = bpf_get_socket_cookie(skops);
        struct nm_event ev = { .type = NM_EV_CLOSE, .verdict = NM_VERDICT_FORWARDED, .cookie = cookie,
                               .bytes = skops->bytes_acked + skops->bytes_received };
        struct nm_sock_key peer_key = {};
        nm_reverse_key(&peer_key, &key);
        struct nm_sock_info *peer = bpf_map_lookup_elem(&nm_sock_info, &peer_key);
        struct nm_sock_info none = { .identity = nm_identity_of_ip(key.remote_ip, 0) };
        struct nm_pair p = {};
        nm_pair_of(&p, &key, own, peer ? peer : &none);
        nm_pair_event(&ev, &key, own, &p);
        ev.path = peer ? NM_PATH_SOCKET_REDIRECT : NM_PATH_KERNEL_STACK;
        struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
        if (rn) {
            __builtin_memcpy(ev.dst_ip, rn->vip, 16);
            ev.dst_port = rn->vip_port;
        }
        nm_emit(&ev);
        bpf_map_delete_elem(&nm_revnat, &cookie);
    }
    bpf_map_delete_elem(&nm_sock_info, &key);
}

SEC("sockops")
int nm_sockops(struct bpf_sock_ops *skops)
{
    switch (skops->op) {
    case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
        nm_established(skops, NM_SOCK_F_CLIENT);
        break;
    case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
        nm_established(skops, NM_SOCK_F_SERVER);
        break;
    case BPF_SOCK_OPS_STATE_CB:
        if (skops->args[1] == NM_TCP_CLOSE)
            nm_closed(skops);
        break;
    }
    return 1;
}

SEC("sk_msg")
int nm_msg(struct sk_msg_md *msg)
{
    struct nm_config *cfg = nm_cfg();
    if (!cfg)
        return SK_PASS;
    struct nm_sock_key key = {};
    NM_SOCK_KEY(&key, msg);
    struct nm_sock_info *own = bpf_map_lookup_elem(&nm_sock_info, &key);
    if (!own)
        return SK_PASS;
    struct nm_sock_key peer_key = {};
    nm_reverse_key(&peer_key, &key);

    if ((cfg->flags & NM_CFG_F_POLICY) && own->policy_generation != cfg->policy_generation) {
        /* policy or identities changed since this socket's verdict was cached: decide again */
        struct nm_sock_info *peer = bpf_map_lookup_elem(&nm_sock_info, &peer_key);
        struct nm_sock_info none = { .identity = nm_identity_of_ip(key.remote_ip, 0) };
        struct nm_pair p = {};
        nm_pair_of(&p, &key, own, peer ? peer : &none);
        __u32 flags = own->flags & ~NM_SOCK_F_ALLOWED;
        if (nm_policy_allows(p.src, p.dst, p.service, p.port))
            flags |= NM_SOCK_F_ALLOWED;
        own->flags = flags;
        own->policy_generation = cfg->policy_generation;
    }
    if ((cfg->flags & NM_CFG_F_POLICY) && !(own->flags & NM_SOCK_F_ALLOWED)) {
        struct nm_sock_info *peer = bpf_map_lookup_elem(&nm_sock_info, &peer_key);
        struct nm_sock_info none = { .identity = nm_identity_of_ip(key.remote_ip, 0) };
        struct nm_pair p = {};
        struct nm_event ev = { .type = NM_EV_DROP, .verdict = NM_VERDICT_DROPPED_POLICY, .path = NM_PATH_NONE,
                               .bytes = msg->size };
        nm_pair_of(&p, &key, own, peer ? peer : &none);
        nm_pair_event(&ev, &key, own, &p);
        nm_emit(&ev);
        return SK_DROP;
    }
    if (!(cfg->flags & NM_CFG_F_REDIRECT))
        return SK_PASS;
    if (cfg->flags & NM_CFG_F_MSG_EVENTS) {
        struct nm_event ev = { .type = NM_EV_REDIRECT, .verdict = NM_VERDICT_FORWARDED,
                               .path = NM_PATH_SOCKET_REDIRECT, .bytes = msg->size };
        struct nm_pair p = { .src = own->identity, .port = (__u16)key.remote_port };
        nm_pair_event(&ev, &key, own, &p);
        nm_emit(&ev);
    }
    /* The helper answers SK_DROP only when the peer is not in the sockhash (another node, not meshed): the
     * message then keeps the normal path, so the answer is SK_PASS either way. */
    bpf_msg_redirect_hash(msg, &nm_sockhash, &peer_key, BPF_F_INGRESS);
    return SK_PASS;
}
