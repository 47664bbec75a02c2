// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Connected UDP sockets pinned to a removed backend. connect4/6 translate a connected UDP socket once, so after an
 * apply removes (or un-readies) a backend the socket would keep sending to it forever. The agent fills nm_udp_stale
 * with the (service, backend) pairs that went away and runs this iterator in every network namespace of the node: it
 * destroys each connected UDP socket whose nm_revnat entry names such a pair and whose peer still is that backend
 * (bpf_sock_destroy, kernel >= 6.5). The application's next send/recv fails with ECONNABORTED; connecting again goes
 * through connect4 and gets a live backend.
 *
 * The only object built against vmlinux.h (generated at build time from the running kernel's BTF): iterator contexts
 * and struct sock are not UAPI. The guards below keep <linux/types.h> and <linux/bpf.h> (pulled in by the shared
 * headers) from redefining what vmlinux.h already declares.
 */
#include "vmlinux.h"
#define _LINUX_TYPES_H
#define __LINUX_BPF_H__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nodemesh.h"
#include "maps.h"

#define NM_AF_INET 2
#define NM_AF_INET6 10
#define NM_TCP_ESTABLISHED 1 /* a connected UDP socket's sk_state */

extern int bpf_sock_destroy(struct sock_common *sk) __ksym;

/* Not pinned: private to this object, rewritten before every run. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_UDP_STALE);
    __type(key, struct nm_udp_stale_key);
    __type(value, __u32);
} nm_udp_stale SEC(".maps");

/* The socket's peer as the 16-byte v4-mapped/v6 form every nodemesh map uses. */
static __always_inline int nm_peer(struct sock *sk, __u8 out[16])
{
    __u16 family = sk->__sk_common.skc_family;
    if (family == NM_AF_INET) {
        __builtin_memset(out, 0, 10);
        out[10] = 0xff;
        out[11] = 0xff;
        __builtin_memcpy(out + 12, &sk->__sk_common.skc_daddr, 4);
        return 0;
    }
    if (family == NM_AF_INET6) {
        __builtin_memcpy(out, &sk->__sk_common.skc_v6_daddr, 16);
        return 0;
    }
    return -1;
}

SEC("iter/udp")
int nm_udp_reap(struct bpf_iter__udp *ctx)
{
    struct sock *sk = (struct sock *)ctx->udp_sk;
    if (!sk || sk->__sk_common.skc_state != NM_TCP_ESTABLISHED)
        return 0;
    __u64 cookie = bpf_get_socket_cookie(sk);
    struct nm_revnat_value *rn = bpf_map_lookup_elem(&nm_revnat, &cookie);
    if (!rn)
        return 0;
    struct nm_udp_stale_key key = { .service_id = rn->service_id, .backend_port = rn->backend_port };
    __builtin_memcpy(key.backend_ip, rn->backend_ip, 16);
    if (!bpf_map_lookup_elem(&nm_udp_stale, &key))
        return 0;
    /* Reconnected elsewhere since (a direct connect leaves the old entry behind): not ours to break. */
    __u8 peer[16];
    if (nm_peer(sk, peer) < 0 || bpf_ntohs(sk->__sk_common.skc_dport) != key.backend_port)
        return 0;
    for (int i = 0; i < 16; i++)
        if (peer[i] != key.backend_ip[i])
            return 0;
    if (bpf_sock_destroy((struct sock_common *)sk) == 0)
        BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\n", cookie);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
