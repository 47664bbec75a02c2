/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The socket load balancer's key hash, byte for byte io.nodemesh.api.lb.SocketLbKey#hash: 32-bit FNV-1a over
 * client address (16) || VIP (16) || port (2, big-endian), then MurmurHash3's fmix32. The simulator hashes the same
 * key, so Maglev picks the same backend in both; bpf/testdata/flow-hash-vectors.tsv pins it for both sides.
 * Only needs <linux/types.h>, so plain C and test objects can include it too.
 */
#ifndef NODEMESH_FLOW_HASH_H
#define NODEMESH_FLOW_HASH_H

#define NM_FNV32_BASIS 0x811c9dc5U
#define NM_FNV32_PRIME 0x01000193U

static __always_inline __u32 nm_fnv32_16(__u32 h, const __u8 b[16])
{
#pragma unroll
    for (int i = 0; i < 16; i++)
        h = (h ^ b[i]) * NM_FNV32_PRIME;
    return h;
}

static __always_inline __u32 nm_flow_hash(const __u8 client[16], const __u8 vip[16], __u16 port)
{
    __u32 h = nm_fnv32_16(NM_FNV32_BASIS, client);
    h = nm_fnv32_16(h, vip);
    h = (h ^ (port >> 8)) * NM_FNV32_PRIME;
    h = (h ^ (port & 0xff)) * NM_FNV32_PRIME;
    h ^= h >> 16;
    h *= 0x85ebca6bU;
    h ^= h >> 13;
    h *= 0xc2b2ae35U;
    h ^= h >> 16;
    return h;
}

#endif /* NODEMESH_FLOW_HASH_H */
