package io.nodemesh.examples.lab;

import java.nio.file.Path;

/**
 * One lab node and the names of everything made for it. Addresses come from the demo's state (node address on the
 * underlay, pod CIDR a /16); names from the lab's prefix, so a dead lab's leftovers are recognisable.
 *
 * @param index     0-based
 * @param name      the mesh node name ({@code node-1}, …)
 * @param netns     its network namespace
 * @param address   its underlay address
 * @param podCidr   its pods' /16
 * @param gateway   its address on the pods' bridge: the pods' default gateway and the node proxy's address
 * @param cgroup    the cgroup-v2 directory its eBPF programs attach at (its pods' cgroups are below)
 * @param pins      its bpffs pin directory
 * @param wgInterface its WireGuard interface
 * @param keyFile   its WireGuard private key
 */
record LabNode(
        int index,
        String name,
        String netns,
        String address,
        String podCidr,
        String gateway,
        Path cgroup,
        Path pins,
        String wgInterface,
        Path keyFile) {
    static final int AGENT_PORT = 9464;
    static final int XDS_PORT = 18000;
    static final int PROXY_PORT = 15001;
    static final int WG_PORT = 51820;
    /** Covers every node's pod CIDR (10.128.0.0/16 and up): strict mode guards all of them. */
    static final String ALL_PODS = "10.128.0.0/9";

    Path netnsPath() {
        return Path.of("/var/run/netns", netns);
    }

    /** The WireGuard interface's own address: the last of the pod CIDR, which no pod gets. */
    String wgAddress() {
        String[] o = podCidr.split("[./]");
        return o[0] + "." + o[1] + ".255.254/32";
    }
}
