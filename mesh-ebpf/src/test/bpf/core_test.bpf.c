// A minimal program set for mesh-ebpf's own tests of the typed API, independent of the production programs in bpf/:
// maps of every kind the typed views cover, and a sockops + sk_msg pair that redirects between local sockets whose
// both ends are marked in `local_ports` (so a test can choose exactly which connections are redirected).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct tuple {
	__u32 local_ip4;
	__u32 remote_ip4;
	__u32 local_port;  // host byte order
	__u32 remote_port; // host byte order
};

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 1024);
	__type(key, struct tuple);
	__type(value, __u64);
} test_sockhash SEC(".maps");

// Ports whose connections are redirected (both ends must be listed); value unused.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} local_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u64);
} test_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} test_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} test_events SEC(".maps");

struct event {
	__u32 local_port;
	__u32 remote_port;
	__u64 op;
};

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&test_counters, &slot);
	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("sockops")
int test_sockops(struct bpf_sock_ops *skops)
{
	if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	// Java makes dual-stack AF_INET6 sockets: take the IPv4 address from the v4-mapped form.
	if (skops->family != 2 /* AF_INET */ && skops->family != 10 /* AF_INET6 */)
		return 1;
	__u32 lport = skops->local_port;
	__u32 rport = bpf_ntohl(skops->remote_port);
	if (!bpf_map_lookup_elem(&local_ports, &lport) && !bpf_map_lookup_elem(&local_ports, &rport))
		return 1;
	// Read every field at a constant offset first: the verifier refuses a ctx pointer the compiler offset by a select.
	__u32 l4 = skops->local_ip4, l6 = skops->local_ip6[3], r4 = skops->remote_ip4, r6 = skops->remote_ip6[3];
	struct tuple key = {
		.local_ip4 = skops->family == 2 ? l4 : l6,
		.remote_ip4 = skops->family == 2 ? r4 : r6,
		.local_port = lport,
		.remote_port = rport,
	};
	bpf_sock_hash_update(skops, &test_sockhash, &key, BPF_NOEXIST);
	count(0);
	struct event ev = { .local_port = lport, .remote_port = rport, .op = skops->op };
	bpf_ringbuf_output(&test_events, &ev, sizeof(ev), 0);
	return 1;
}

SEC("sk_msg")
int test_sk_msg(struct sk_msg_md *msg)
{
	__u32 l4 = msg->local_ip4, l6 = msg->local_ip6[3], r4 = msg->remote_ip4, r6 = msg->remote_ip6[3];
	struct tuple peer = {
		.local_ip4 = msg->family == 2 ? r4 : r6,
		.remote_ip4 = msg->family == 2 ? l4 : l6,
		.local_port = bpf_ntohl(msg->remote_port),
		.remote_port = msg->local_port,
	};
	if (bpf_msg_redirect_hash(msg, &test_sockhash, &peer, BPF_F_INGRESS) == SK_PASS)
		count(1);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
