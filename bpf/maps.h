/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every nodemesh map, defined once and included by every object. Each map is pinned by name
 * (LIBBPF_PIN_BY_NAME) under the pin_root_path the agent passes to bpf_object__open (default
 * /sys/fs/bpf/nodemesh), so the objects share one set of maps and the maps outlive the agent.
 * An object that does not use a map still carries its definition: libbpf reuses the pinned map.
 */
#ifndef NODEMESH_MAPS_H
#define NODEMESH_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "nodemesh.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nm_config);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, NM_MAX_SOCKETS);
    __type(key, struct nm_sock_key);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_sockhash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_SOCKETS);
    __type(key, struct nm_sock_key);
    __type(value, struct nm_sock_info);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_sock_info SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_IDENTITIES);
    __type(key, __u64);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_netns_identity SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_IDENTITIES);
    __type(key, __u64);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_cgroup_identity SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_IDENTITIES);
    __type(key, __u64);
    __type(value, struct nm_ip_key);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_netns_addr SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_IDENTITIES);
    __type(key, struct nm_ip_key);
    __type(value, struct nm_ip_info);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_ip_identity SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_VIP_PORTS);
    __type(key, struct nm_service_key);
    __type(value, struct nm_service_value);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_services SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_BACKENDS);
    __type(key, struct nm_backend_key);
    __type(value, struct nm_backend_value);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_backends SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_MAGLEV);
    __type(key, struct nm_maglev_key);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_maglev SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NM_MAX_BACKEND_SETS);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_rr SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, NM_MAX_AFFINITY);
    __type(key, struct nm_affinity_key);
    __type(value, struct nm_affinity_value);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_affinity SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, NM_MAX_REVNAT);
    __type(key, __u64);
    __type(value, struct nm_revnat_value);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_revnat SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, NM_MAX_UDP_PEERS);
    __type(key, struct nm_udp_peer_key);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_udp_peers SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, NM_MAX_ORIG_DST);
    __type(key, struct nm_sock_key);
    __type(value, struct nm_orig_dst);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_orig_dst SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_PROXY_CGROUPS);
    __type(key, __u64);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_proxy_cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_POLICY);
    __type(key, struct nm_policy_key);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_policy SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NM_MAX_POLICY);
    __type(key, struct nm_selected_key);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_policy_selected SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, NM_EVENTS_BYTES);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} nm_lost SEC(".maps");

#endif /* NODEMESH_MAPS_H */
