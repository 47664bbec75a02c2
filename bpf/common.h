/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Helpers shared by the nodemesh programs: addresses, config, identities, the policy decision and flow events. */
#ifndef NODEMESH_COMMON_H
#define NODEMESH_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nodemesh.h"
#include "maps.h"

#define NM_ECONNREFUSED 111

static __always_inline void nm_v4mapped(__u8 out[16], __u32 ip4_be)
{
    __builtin_memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    __builtin_memcpy(out + 12, &ip4_be, 4);
}

static __always_inline int nm_is_v4mapped(const __u8 ip[16])
{
    __u64 lo;
    __u32 mid;
    __builtin_memcpy(&lo, ip, 8);
    __builtin_memcpy(&mid, ip + 8, 4);
    return lo == 0 && mid == bpf_htonl(0x0000ffff);
}

static __always_inline __u32 nm_v4_of(const __u8 ip[16])
{
    __u32 v4;
    __builtin_memcpy(&v4, ip + 12, 4);
    return v4;
}

/* The verifier only allows 4-byte reads of the context's ip6 words: volatile stops clang merging them into 8-byte loads. */
#define NM_CTX32(field) (*(volatile __u32 *)&(field))

static __always_inline void nm_copy_ip6(__u8 out[16], const __u32 w0, const __u32 w1, const __u32 w2, const __u32 w3)
{
    __builtin_memcpy(out, &w0, 4);
    __builtin_memcpy(out + 4, &w1, 4);
    __builtin_memcpy(out + 8, &w2, 4);
    __builtin_memcpy(out + 12, &w3, 4);
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

/* An empty config (agent not started yet) means everything off: the programs then change nothing. */
static __always_inline struct nm_config *nm_cfg(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&nm_config, &zero);
}

static __always_inline __u32 nm_flags(void)
{
    struct nm_config *cfg = nm_cfg();
    return cfg ? cfg->flags : 0;
}

/* Identity of an address: a workload's, or HOST for anything outside the mesh (MeshIndex.identityOf). */
static __always_inline __u32 nm_identity_of_ip(const __u8 ip[16], __u32 *flags)
{
    struct nm_ip_key key = {};
    __builtin_memcpy(key.ip, ip, 16);
    struct nm_ip_info *info = bpf_map_lookup_elem(&nm_ip_identity, &key);
    if (flags)
        *flags = info ? info->flags : 0;
    return info ? info->identity : NM_IDENTITY_HOST;
}

static __always_inline __u32 nm_identity_of_netns(__u64 netns_cookie)
{
    __u32 *id = bpf_map_lookup_elem(&nm_netns_identity, &netns_cookie);
    return id ? *id : NM_IDENTITY_ANY;
}

static __always_inline __u32 nm_identity_of_cgroup(__u64 cgroup_id)
{
    __u32 *id = bpf_map_lookup_elem(&nm_cgroup_identity, &cgroup_id);
    return id ? *id : NM_IDENTITY_ANY;
}

static __always_inline __u32 nm_policy_bits(__u32 dst, __u32 svc, __u32 src, __u16 port)
{
    struct nm_policy_key key = { .dst_identity = dst, .service_id = svc, .src_identity = src, .port = port };
    __u32 *bits = bpf_map_lookup_elem(&nm_policy, &key);
    return bits ? *bits : 0;
}

static __always_inline int nm_selected(__u32 dst, __u32 svc)
{
    struct nm_selected_key key = { .dst_identity = dst, .service_id = svc };
    return bpf_map_lookup_elem(&nm_policy_selected, &key) != 0;
}

/*
 * MeshIndex.allows, exactly: a policy with destinations D and services S is stored under (d,0,..) for d in D,
 * (0,s,..) for s in S, or (0,0,..) when both are empty; sources and ports fan out the same way, 0 meaning any.
 * So every policy that matches (src, dst, svc, port) has an entry among these 12 keys. DENY anywhere wins; any
 * ALLOW allows; otherwise the destination is default-deny when an ALLOW policy selects it.
 */
static __always_inline int nm_policy_allows(__u32 src, __u32 dst, __u32 svc, __u16 port)
{
    if (!(nm_flags() & NM_CFG_F_POLICY))
        return 1;
    __u32 bits = 0;
    bits |= nm_policy_bits(dst, 0, src, port);
    bits |= nm_policy_bits(dst, 0, src, 0);
    bits |= nm_policy_bits(dst, 0, 0, port);
    bits |= nm_policy_bits(dst, 0, 0, 0);
    if (svc) {
        bits |= nm_policy_bits(0, svc, src, port);
        bits |= nm_policy_bits(0, svc, src, 0);
        bits |= nm_policy_bits(0, svc, 0, port);
        bits |= nm_policy_bits(0, svc, 0, 0);
    }
    bits |= nm_policy_bits(0, 0, src, port);
    bits |= nm_policy_bits(0, 0, src, 0);
    bits |= nm_policy_bits(0, 0, 0, port);
    bits |= nm_policy_bits(0, 0, 0, 0);
    if (bits & NM_POLICY_DENY)
        return 0;
    if (bits & NM_POLICY_ALLOW)
        return 1;
    if (nm_selected(dst, 0) || (svc && nm_selected(0, svc)) || nm_selected(0, 0))
        return 0;
    return 1;
}

/* Never blocks: a full ring buffer only bumps the per-CPU lost counter. */
static __always_inline void nm_emit(struct nm_event *ev)
{
    ev->timestamp_ns = bpf_ktime_get_ns();
    if (bpf_ringbuf_output(&nm_events, ev, sizeof(*ev), 0) != 0) {
        __u32 zero = 0;
        __u64 *lost = bpf_map_lookup_elem(&nm_lost, &zero);
        if (lost)
            *lost += 1;
    }
}

#endif /* NODEMESH_COMMON_H */
