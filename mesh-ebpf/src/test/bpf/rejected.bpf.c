// A program the verifier must reject (it reads a hash map value without the null check; a hash, since recent kernels
// know a constant in-bounds array lookup cannot be null), so tests can see the verifier log.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rejected_values SEC(".maps");

SEC("sockops")
int rejected_sockops(struct bpf_sock_ops *skops)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&rejected_values, &zero);
	return *v == 0; // no null check: "invalid mem access 'map_value_or_null'"
}

char LICENSE[] SEC("license") = "GPL";
