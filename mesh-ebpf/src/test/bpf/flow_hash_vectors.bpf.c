// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Runs bpf/flow_hash.h (the hash service.bpf.c keys Maglev by) in the kernel over the rows of
 * bpf/testdata/flow-hash-vectors.h and prints "row port hash" per row; FlowHashRootTest compares them with the .tsv.
 * A bpf_map iterator is used only because it runs once with no parameters: its last call (map == NULL) prints.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "flow_hash.h"

struct seq_file;
struct bpf_map;
struct bpf_iter_meta {
    struct seq_file *seq;
    __u64 session_id;
    __u64 seq_num;
} __attribute__((preserve_access_index));
struct bpf_iter__bpf_map {
    struct bpf_iter_meta *meta;
    struct bpf_map *map;
} __attribute__((preserve_access_index));

struct nm_flow_hash_vector {
    __u8 client[16];
    __u8 vip[16];
    __u16 port;
};
#include "flow-hash-vectors.h"

SEC("iter/bpf_map")
int nm_hash_vectors(struct bpf_iter__bpf_map *ctx)
{
    if (ctx->map)
        return 0;
    struct seq_file *seq = ctx->meta->seq;
    for (int i = 0; i < NM_FLOW_HASH_VECTORS; i++) {
        struct nm_flow_hash_vector v = nm_flow_hash_vectors[i];
        __u32 h = nm_flow_hash(v.client, v.vip, v.port);
        __u32 port = v.port;
        BPF_SEQ_PRINTF(seq, "%d %u %08x\n", i, port, h);
    }
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
