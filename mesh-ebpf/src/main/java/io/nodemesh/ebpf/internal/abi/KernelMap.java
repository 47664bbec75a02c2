package io.nodemesh.ebpf.internal.abi;

/**
 * The maps whose contents follow from a {@code MeshState} (the rest — sockhash, sock info, affinity, reverse NAT,
 * round-robin counters, events — are written by the programs themselves). Names are the ELF/pin names.
 */
public enum KernelMap {
    CONFIG("nm_config", KernelLayouts.U32, KernelLayouts.CONFIG, 1),
    IP_IDENTITY("nm_ip_identity", KernelLayouts.IP_KEY, KernelLayouts.IP_INFO, KernelAbi.MAX_IDENTITIES),
    NETNS_IDENTITY("nm_netns_identity", KernelLayouts.U64, KernelLayouts.U32, KernelAbi.MAX_IDENTITIES),
    CGROUP_IDENTITY("nm_cgroup_identity", KernelLayouts.U64, KernelLayouts.U32, KernelAbi.MAX_IDENTITIES),
    NETNS_ADDRESS("nm_netns_addr", KernelLayouts.U64, KernelLayouts.IP_KEY, KernelAbi.MAX_IDENTITIES),
    POLICY("nm_policy", KernelLayouts.POLICY_KEY, KernelLayouts.U32, KernelAbi.MAX_POLICY),
    POLICY_SELECTED("nm_policy_selected", KernelLayouts.SELECTED_KEY, KernelLayouts.U32, KernelAbi.MAX_POLICY),
    BACKENDS("nm_backends", KernelLayouts.BACKEND_KEY, KernelLayouts.BACKEND_VALUE, KernelAbi.MAX_BACKENDS),
    MAGLEV("nm_maglev", KernelLayouts.MAGLEV_KEY, KernelLayouts.U32, KernelAbi.MAX_MAGLEV),
    SERVICES("nm_services", KernelLayouts.SERVICE_KEY, KernelLayouts.SERVICE_VALUE, KernelAbi.MAX_VIP_PORTS);

    private final String mapName;
    private final StructLayout key;
    private final StructLayout value;
    private final int defaultMaxEntries;

    KernelMap(String mapName, StructLayout key, StructLayout value, int defaultMaxEntries) {
        this.mapName = mapName;
        this.key = key;
        this.value = value;
        this.defaultMaxEntries = defaultMaxEntries;
    }

    /** The map's name in the objects and under the pin root. */
    public String mapName() {
        return mapName;
    }

    public StructLayout keyLayout() {
        return key;
    }

    public StructLayout valueLayout() {
        return value;
    }

    public int keySize() {
        return key.size();
    }

    public int valueSize() {
        return value.size();
    }

    /** max_entries in bpf/maps.h. */
    public int defaultMaxEntries() {
        return defaultMaxEntries;
    }
}
