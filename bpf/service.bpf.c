// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Socket-level service load balancing and identity policy at the cgroup-v2 sock_addr hooks.
 *
 * connect4/6 (TCP and connected UDP) and sendmsg4/6 (unconnected UDP) rewrite a service VIP:port to one ready
 * backend before the socket ever sends a packet: no per-packet NAT, no conntrack. The original VIP is remembered
 * per socket cookie in nm_revnat so that recvmsg4/6 and getpeername4/6 show the application the address it asked
 * for. Policy (MeshIndex.allows) is checked on the backend the connection would reach; a refused connect fails at
 * once with EPERM (policy) or ECONNREFUSED (no ready backend), and every decision is a flow event.
 *
 * UDP has no accepted socket: a server's reply goes through sendmsg4/6 like a new datagram. recvmsg4/6 records each
 * peer that sent to a socket (nm_udp_peers), and sendmsg lets datagrams back to it pass as replies of the flow the
 * request opened, undecided — the way TCP's replies never meet a sock_addr hook. A connected UDP socket's sends carry
 * the backend connect chose (the JDK passes the peer address on every send): they are judged with the service the
 * socket was translated for (nm_revnat), as the simulator judges each send of a connected socket.
 */
#include "common.h"
#include "flow_hash.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NM_EPERM 1

struct nm_addr {
    __u8 ip[16];
    __u16 port; /* host order */
};

/* The client of a sock_addr hook: its netns, then its cgroup, tells the workload; anything else is the host. */
static __always_inline __u32 nm_source_identity(struct bpf_sock_addr *ctx, __u64 netns)
{
    __u32 id = nm_identity_of_netns(netns);
    if (id)
        return id;
    id = nm_identity_of_cgroup(bpf_get_current_cgroup_id());
    return id ? id : NM_IDENTITY_HOST;
}

static __always_inline struct nm_backend_value *nm_backend_at(__u32 set, __u32 slot)
{
    struct nm_backend_key key = { .backend_set = set, .slot = slot };
    return bpf_map_lookup_elem(&nm_backends, &key);
}

/*
 * The client address the balancer keys a socket by (SocketLbKey): its pod's address (nm_netns_addr) when its netns is
 * a pod's, else the source address it bound before connecting, else all zero. Never the connection: at connect time
 * there is no source port yet, so Maglev and affinity are per client, the same in the simulator.
 */
static __always_inline void nm_client_addr(struct bpf_sock_addr *ctx, __u64 netns, __u8 out[16])
{
    struct nm_ip_key *pod = bpf_map_lookup_elem(&nm_netns_addr, &netns);
    if (pod) {
        __builtin_memcpy(out, pod->ip, 16);
        return;
    }
    __builtin_memset(out, 0, 16);
    struct bpf_sock *sk = ctx->sk;
    if (!sk)
        return;
    if (sk->family == 2 /* AF_INET */) {
        __u32 src = sk->src_ip4;
        if (src)
            nm_v4mapped(out, src);
    } else {
        nm_copy_ip6(out, NM_CTX32(sk->src_ip6[0]), NM_CTX32(sk->src_ip6[1]), NM_CTX32(sk->src_ip6[2]),
                    NM_CTX32(sk->src_ip6[3]));
    }
}

struct nm_find_ctx {
    __u32 set;
    __u32 found;
    __u8 ip[16];
};

static long nm_find_cb(__u64 i, void *data)
{
    struct nm_find_ctx *c = data;
    struct nm_backend_value *b = nm_backend_at(c->set, (__u32)i);
    if (b && nm_ip_equal(b->ip, c->ip)) {
        c->found = (__u32)i;
        return 1;
    }
    return 0;
}

/*
 * The slot that holds the remembered backend now, count if none: usually the remembered slot; when the set shrank
 * and the backend was moved to a lower slot (SlotAssigner), a scan finds it, so affinity survives as the simulator's
 * (which looks the backend up among the ready ones) does.
 */
static __always_inline __u32 nm_find_backend(__u32 set, __u32 count, __u32 slot, const __u8 ip[16])
{
    if (slot < count) {
        struct nm_backend_value *b = nm_backend_at(set, slot);
        if (b && nm_ip_equal(b->ip, ip))
            return slot;
    }
    struct nm_find_ctx c = { .set = set, .found = count };
    __builtin_memcpy(c.ip, ip, 16);
    bpf_loop(count, nm_find_cb, &c, 0);
    return c.found;
}

/*
 * Picks a slot among 0..count-1, honouring session affinity; returns count when nothing usable was found.
 * Not inlined (nor nm_affinity_record): as subprograms their stack frames come and go, which keeps nm_translate's
 * combined stack under the verifier's 512 bytes.
 */
static __attribute__((noinline)) __u32 nm_pick_slot(struct nm_service_value *sv, const __u8 client[16],
                                          const struct nm_addr *dst)
{
    __u32 count = sv->backend_count;
    __u32 set = sv->backend_set;
    __u32 slot = count;

    if (sv->flags & NM_SVC_F_AFFINITY) {
        struct nm_affinity_key akey = { .backend_set = set };
        __builtin_memcpy(akey.client_ip, client, 16);
        struct nm_affinity_value *av = bpf_map_lookup_elem(&nm_affinity, &akey);
        __u64 now = bpf_ktime_get_ns();
        if (av && now - av->last_used_ns <= (__u64)sv->affinity_timeout_s * 1000000000ULL) {
            __u32 found = nm_find_backend(set, count, av->slot, av->backend_ip);
            if (found < count)
                return found;
        }
    }

    switch (sv->lb) {
    case NM_LB_ROUND_ROBIN: {
        __u32 *next = bpf_map_lookup_elem(&nm_rr, &set);
        slot = next ? __sync_fetch_and_add(next, 1) % count : bpf_get_prandom_u32() % count;
        break;
    }
    case NM_LB_MAGLEV: {
        __u32 h = nm_flow_hash(client, dst->ip, dst->port);
        if (sv->maglev_size) {
            struct nm_maglev_key mkey = { .backend_set = set, .index = h % sv->maglev_size };
            __u32 *s = bpf_map_lookup_elem(&nm_maglev, &mkey);
            slot = s ? *s : count;
        }
        if (slot >= count) /* table not (yet) consistent with the count: still pick a ready backend */
            slot = h % count;
        break;
    }
    default:
        slot = bpf_get_prandom_u32() % count;
    }
    return slot;
}

/* Remembers (or refreshes) the client's backend once the connection is allowed, as the simulator does. */
static __attribute__((noinline)) void nm_affinity_record(struct nm_service_value *sv, const __u8 client[16], __u32 slot,
                                               const struct nm_backend_value *b)
{
    if (!(sv->flags & NM_SVC_F_AFFINITY))
        return;
    struct nm_affinity_key akey = { .backend_set = sv->backend_set };
    __builtin_memcpy(akey.client_ip, client, 16);
    struct nm_affinity_value av = { .last_used_ns = bpf_ktime_get_ns(), .slot = slot };
    __builtin_memcpy(av.backend_ip, b->ip, 16);
    bpf_map_update_elem(&nm_affinity, &akey, &av, BPF_ANY);
}

static __always_inline void nm_event_init(struct nm_event *ev, struct nm_addr *dst, __u8 proto, __u64 cookie,
                                          __u32 src_id)
{
    __builtin_memcpy(ev->dst_ip, dst->ip, 16);
    ev->dst_port = dst->port;
    ev->proto = proto;
    ev->cookie = cookie;
    ev->src_identity = src_id;
}

static __always_inline int nm_refuse(struct nm_event *ev, __u8 verdict, int err)
{
    ev->type = NM_EV_DROP;
    ev->verdict = verdict;
    ev->path = NM_PATH_NONE;
    nm_emit(ev);
    bpf_set_retval(-err);
    return 0;
}

static __always_inline void nm_udp_peer_key_of(struct nm_udp_peer_key *k, __u64 cookie, const struct nm_addr *peer)
{
    k->cookie = cookie;
    __builtin_memcpy(k->ip, peer->ip, 16);
    k->port = peer->port;
}

/*
 * Value 0 in nm_udp_peers marks a peer this socket sent to first (it initiated the flow, so each of its datagrams is
 * judged); a non-zero value is when the peer first sent to it (this socket answers, so its datagrams back are replies).
 */
#define NM_UDP_PEER_INITIATED 0ULL

/* A datagram to a peer that sent to this socket before this socket ever sent to it: a reply. */
static __always_inline int nm_is_udp_reply(__u64 cookie, const struct nm_addr *dst)
{
    struct nm_udp_peer_key k = {};
    nm_udp_peer_key_of(&k, cookie, dst);
    __u64 *first = bpf_map_lookup_elem(&nm_udp_peers, &k);
    return first && *first != NM_UDP_PEER_INITIATED;
}

/* This socket sends to dst on its own account (an allowed new flow): its later datagrams to dst are not replies. */
static __always_inline void nm_udp_initiated(__u64 cookie, const struct nm_addr *dst)
{
    struct nm_udp_peer_key k = {};
    nm_udp_peer_key_of(&k, cookie, dst);
    __u64 initiated = NM_UDP_PEER_INITIATED;
    bpf_map_update_elem(&nm_udp_peers, &k, &initiated, BPF_NOEXIST);
}

/*
 * A send on a connected UDP socket that connect4/6 translated: the destination is the backend connect chose (what the
 * JDK passes) or the VIP again. Returns the socket's nm_revnat entry then, 0 for any other socket or destination.
 */
static __always_inline struct nm_revnat_value *nm_connected_revnat(struct bpf_sock_addr *ctx, __u64 cookie,
                                                                   const struct nm_addr *dst)
{
    struct bpf_sock *sk = ctx->sk;
    if (!sk || sk->state != BPF_TCP_ESTABLISHED) /* UDP sockets are "established" once connected */
        return 0;
    struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
    if (!rn)
        return 0;
    if (rn->backend_port == dst->port && nm_ip_equal(rn->backend_ip, dst->ip))
        return rn;
    if (rn->vip_port == dst->port && nm_ip_equal(rn->vip, dst->ip))
        return rn;
    return 0;
}

/*
 * Judges one send of a connected, translated UDP socket with its service, as connect did; a send addressed to the VIP
 * goes to the backend the socket is connected to (a reply from any other backend would not reach the socket).
 */
static __always_inline int nm_connected_send(struct nm_event *ev, struct nm_revnat_value *rn, __u32 src_id,
                                             struct nm_addr *to, int *rewrite)
{
    __u32 dst_flags = 0;
    __u32 dst_id = nm_identity_of_ip(rn->backend_ip, &dst_flags);
    __builtin_memcpy(ev->dst_ip, rn->vip, 16);
    ev->dst_port = rn->vip_port;
    __builtin_memcpy(ev->backend_ip, rn->backend_ip, 16);
    ev->backend_port = rn->backend_port;
    ev->dst_identity = dst_id;
    ev->service_id = rn->service_id;
    if (!nm_policy_allows(src_id, dst_id, rn->service_id, rn->backend_port))
        return nm_refuse(ev, NM_VERDICT_DROPPED_POLICY, NM_EPERM);
    __builtin_memcpy(to->ip, rn->backend_ip, 16);
    to->port = rn->backend_port;
    *rewrite = 1; /* a no-op when the send named the backend already */
    ev->type = NM_EV_TRANSLATE;
    ev->verdict = NM_VERDICT_FORWARDED;
    ev->path = NM_PATH_KERNEL_STACK; /* UDP never takes the socket redirect */
    nm_emit(ev);
    return 1;
}

/*
 * Decides where a connect/sendmsg to dst goes. Returns 1 to let it proceed (dst possibly rewritten into *to),
 * 0 to refuse it. *rewrite says whether *to differs from dst.
 */
static __always_inline int nm_translate(struct bpf_sock_addr *ctx, struct nm_addr *dst, __u8 proto, int v4,
                                        int sendmsg, struct nm_addr *to, int *rewrite)
{
    *rewrite = 0;
    __u32 flags = nm_flags();
    if (!(flags & (NM_CFG_F_LB | NM_CFG_F_POLICY)))
        return 1;

    __u64 cookie = bpf_get_socket_cookie(ctx);
    /* UDP peers are tracked only with policy on: without it there is no decision for a reply to skip */
    int track = sendmsg && (flags & NM_CFG_F_POLICY);
    /* a reply passes undecided (and untranslated: the peer is a real address); see nm_udp_peers */
    if (track && nm_is_udp_reply(cookie, dst))
        return 1;
    __u64 netns = bpf_get_netns_cookie(ctx);
    __u32 src_id = nm_source_identity(ctx, netns);
    struct nm_event ev = {};
    nm_event_init(&ev, dst, proto, cookie, src_id);
    struct nm_ip_key *src_addr = bpf_map_lookup_elem(&nm_netns_addr, &netns);
    if (src_addr) /* the socket has no source address yet: name the client by its pod's address */
        __builtin_memcpy(ev.src_ip, src_addr->ip, 16);

    if (sendmsg) {
        struct nm_revnat_value *crn = nm_connected_revnat(ctx, cookie, dst);
        if (crn) {
            if (!nm_connected_send(&ev, crn, src_id, to, rewrite))
                return 0;
            if (track)
                nm_udp_initiated(cookie, to);
            return 1;
        }
    }

    struct nm_service_key skey = { .port = dst->port, .proto = proto };
    __builtin_memcpy(skey.vip, dst->ip, 16);
    struct nm_service_value *sv = (flags & NM_CFG_F_LB) ? bpf_map_lookup_elem(&nm_services, &skey) : 0;

    if (!sv) {
        /* addressed directly: policy only, with no service */
        __u32 dst_flags = 0;
        __u32 dst_id = nm_identity_of_ip(dst->ip, &dst_flags);
        ev.dst_identity = dst_id;
        if (!nm_policy_allows(src_id, dst_id, 0, dst->port))
            return nm_refuse(&ev, NM_VERDICT_DROPPED_POLICY, NM_EPERM);
        if (src_id != NM_IDENTITY_HOST || dst_id != NM_IDENTITY_HOST) {
            ev.type = NM_EV_CONNECT;
            ev.verdict = NM_VERDICT_FORWARDED;
            ev.path = NM_PATH_KERNEL_STACK;
            nm_emit(&ev);
        }
        if (track)
            nm_udp_initiated(cookie, dst);
        return 1;
    }

    ev.service_id = sv->service_id;
    struct nm_revnat_value rn = { .vip_port = dst->port, .service_id = sv->service_id };
    __builtin_memcpy(rn.vip, dst->ip, 16);

    /* the proxy's own upstream connections are balanced below like an L4 service's: steering them would loop */
    if ((sv->flags & NM_SVC_F_L7) && !bpf_map_lookup_elem(&nm_proxy_cgroups, &(__u64){bpf_get_current_cgroup_id()})) {
        /* L7 services go to the node proxy, which applies routes and L7 policy itself */
        struct nm_config *cfg = nm_cfg();
        if (!cfg || !cfg->proxy_port || (v4 && !nm_is_v4mapped(cfg->proxy_ip)))
            return nm_refuse(&ev, NM_VERDICT_NO_BACKEND, NM_ECONNREFUSED);
        __builtin_memcpy(to->ip, cfg->proxy_ip, 16);
        to->port = cfg->proxy_port;
        ev.path = NM_PATH_NODE_PROXY;
    } else {
        __u32 count = sv->backend_count;
        if (count == 0 || count > NM_MAX_BACKENDS_PER_SERVICE)
            return nm_refuse(&ev, NM_VERDICT_NO_BACKEND, NM_ECONNREFUSED);
        __u8 client[16];
        nm_client_addr(ctx, netns, client);
        __u32 slot = nm_pick_slot(sv, client, dst);
        struct nm_backend_value *b = slot < count ? nm_backend_at(sv->backend_set, slot) : 0;
        if (!b || (v4 && !nm_is_v4mapped(b->ip)))
            return nm_refuse(&ev, NM_VERDICT_NO_BACKEND, NM_ECONNREFUSED);
        ev.dst_identity = b->identity;
        __builtin_memcpy(ev.backend_ip, b->ip, 16);
        ev.backend_port = sv->target_port;
        if (!nm_policy_allows(src_id, b->identity, sv->service_id, sv->target_port))
            return nm_refuse(&ev, NM_VERDICT_DROPPED_POLICY, NM_EPERM);
        nm_affinity_record(sv, client, slot, b);
        __builtin_memcpy(to->ip, b->ip, 16);
        to->port = sv->target_port;
        ev.path = (b->flags & NM_BACKEND_F_LOCAL) ? NM_PATH_SOCKET_REDIRECT : NM_PATH_KERNEL_STACK;
    }

    __builtin_memcpy(rn.backend_ip, to->ip, 16);
    rn.backend_port = to->port;
    bpf_map_update_elem(&nm_revnat, &cookie, &rn, BPF_ANY);
    __builtin_memcpy(ev.backend_ip, to->ip, 16);
    ev.backend_port = to->port;
    ev.type = NM_EV_TRANSLATE;
    ev.verdict = NM_VERDICT_FORWARDED;
    nm_emit(&ev);
    *rewrite = 1;
    if (track)
        nm_udp_initiated(cookie, to);
    return 1;
}

static __always_inline int nm_sock4(struct bpf_sock_addr *ctx, __u8 proto, int sendmsg)
{
    struct nm_addr dst = { .port = bpf_ntohs((__u16)ctx->user_port) }, to = {};
    int rewrite;
    nm_v4mapped(dst.ip, ctx->user_ip4);
    if (!nm_translate(ctx, &dst, proto, 1, sendmsg, &to, &rewrite))
        return 0;
    if (rewrite) {
        ctx->user_ip4 = nm_v4_of(to.ip);
        ctx->user_port = bpf_htons(to.port);
    }
    return 1;
}

static __always_inline int nm_sock6(struct bpf_sock_addr *ctx, __u8 proto, int sendmsg)
{
    struct nm_addr dst = { .port = bpf_ntohs((__u16)ctx->user_port) }, to = {};
    int rewrite;
    nm_copy_ip6(dst.ip, NM_CTX32(ctx->user_ip6[0]), NM_CTX32(ctx->user_ip6[1]), NM_CTX32(ctx->user_ip6[2]),
                NM_CTX32(ctx->user_ip6[3]));
    if (!nm_translate(ctx, &dst, proto, 0, sendmsg, &to, &rewrite))
        return 0;
    if (rewrite) {
        __u32 w[4];
        __builtin_memcpy(w, to.ip, 16);
        ctx->user_ip6[0] = w[0];
        ctx->user_ip6[1] = w[1];
        ctx->user_ip6[2] = w[2];
        ctx->user_ip6[3] = w[3];
        ctx->user_port = bpf_htons(to.port);
    }
    return 1;
}

static __always_inline __u8 nm_proto(struct bpf_sock_addr *ctx)
{
    return ctx->protocol == NM_PROTO_UDP ? NM_PROTO_UDP : NM_PROTO_TCP;
}

SEC("cgroup/connect4")
int nm_connect4(struct bpf_sock_addr *ctx)
{
    return nm_sock4(ctx, nm_proto(ctx), 0);
}

SEC("cgroup/connect6")
int nm_connect6(struct bpf_sock_addr *ctx)
{
    return nm_sock6(ctx, nm_proto(ctx), 0);
}

SEC("cgroup/sendmsg4")
int nm_sendmsg4(struct bpf_sock_addr *ctx)
{
    return nm_sock4(ctx, NM_PROTO_UDP, 1);
}

SEC("cgroup/sendmsg6")
int nm_sendmsg6(struct bpf_sock_addr *ctx)
{
    return nm_sock6(ctx, NM_PROTO_UDP, 1);
}

/* The reverse translation: if the peer the application is about to see is the backend we picked, show the VIP. */
static __always_inline struct nm_revnat_value *nm_revnat_for(struct bpf_sock_addr *ctx, struct nm_addr *seen)
{
    __u64 cookie = bpf_get_socket_cookie(ctx);
    struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
    if (!rn || rn->backend_port != seen->port || !nm_ip_equal(rn->backend_ip, seen->ip))
        return 0;
    return rn;
}

static __always_inline int nm_reverse4(struct bpf_sock_addr *ctx)
{
    struct nm_addr seen = { .port = bpf_ntohs((__u16)ctx->user_port) };
    nm_v4mapped(seen.ip, ctx->user_ip4);
    struct nm_revnat_value *rn = nm_revnat_for(ctx, &seen);
    if (rn && nm_is_v4mapped(rn->vip)) {
        ctx->user_ip4 = nm_v4_of(rn->vip);
        ctx->user_port = bpf_htons(rn->vip_port);
    }
    return 1;
}

static __always_inline int nm_reverse6(struct bpf_sock_addr *ctx)
{
    struct nm_addr seen = { .port = bpf_ntohs((__u16)ctx->user_port) };
    nm_copy_ip6(seen.ip, NM_CTX32(ctx->user_ip6[0]), NM_CTX32(ctx->user_ip6[1]), NM_CTX32(ctx->user_ip6[2]),
                NM_CTX32(ctx->user_ip6[3]));
    struct nm_revnat_value *rn = nm_revnat_for(ctx, &seen);
    if (rn) {
        __u32 w[4];
        __builtin_memcpy(w, rn->vip, 16);
        ctx->user_ip6[0] = w[0];
        ctx->user_ip6[1] = w[1];
        ctx->user_ip6[2] = w[2];
        ctx->user_ip6[3] = w[3];
        ctx->user_port = bpf_htons(rn->vip_port);
    }
    return 1;
}

/*
 * recvmsg: the peer just sent to this socket. Unless this socket sent to it first, datagrams back to it are replies
 * (nm_is_udp_reply). Only with policy on: without it sendmsg decides nothing to spare. Runs before the reverse
 * translation, so the peer is the real address sendmsg will be given for the reply.
 */
static __always_inline void nm_record_udp_peer(struct bpf_sock_addr *ctx, const struct nm_addr *peer)
{
    if (!(nm_flags() & NM_CFG_F_POLICY))
        return;
    struct nm_udp_peer_key k = {};
    nm_udp_peer_key_of(&k, bpf_get_socket_cookie(ctx), peer);
    if (bpf_map_lookup_elem(&nm_udp_peers, &k)) /* an answering socket's peer, or one it initiated to */
        return;
    __u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&nm_udp_peers, &k, &now, BPF_NOEXIST);
}

SEC("cgroup/recvmsg4")
int nm_recvmsg4(struct bpf_sock_addr *ctx)
{
    struct nm_addr peer = { .port = bpf_ntohs((__u16)ctx->user_port) };
    nm_v4mapped(peer.ip, ctx->user_ip4);
    nm_record_udp_peer(ctx, &peer);
    return nm_reverse4(ctx);
}

SEC("cgroup/recvmsg6")
int nm_recvmsg6(struct bpf_sock_addr *ctx)
{
    struct nm_addr peer = { .port = bpf_ntohs((__u16)ctx->user_port) };
    nm_copy_ip6(peer.ip, NM_CTX32(ctx->user_ip6[0]), NM_CTX32(ctx->user_ip6[1]), NM_CTX32(ctx->user_ip6[2]),
                NM_CTX32(ctx->user_ip6[3]));
    nm_record_udp_peer(ctx, &peer);
    return nm_reverse6(ctx);
}

SEC("cgroup/getpeername4")
int nm_getpeername4(struct bpf_sock_addr *ctx)
{
    return nm_reverse4(ctx);
}

SEC("cgroup/getpeername6")
int nm_getpeername6(struct bpf_sock_addr *ctx)
{
    return nm_reverse6(ctx);
}
