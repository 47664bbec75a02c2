package io.nodemesh.api.state;

import java.util.List;

/**
 * A machine of the mesh: one kernel, at most one node proxy.
 *
 * @param name               unique node name
 * @param addresses          underlay addresses other nodes reach it on
 * @param podCidrs           the CIDRs its pods' addresses come from (WireGuard allowed IPs)
 * @param wireguardPublicKey its WireGuard public key in base64, or empty when it has none yet
 */
public record Node(String name, List<String> addresses, List<String> podCidrs, String wireguardPublicKey) {
    public Node {
        addresses = Lists.copy(addresses);
        podCidrs = Lists.copy(podCidrs);
        wireguardPublicKey = wireguardPublicKey == null ? "" : wireguardPublicKey;
    }

    public static Node of(String name, String address, String podCidr) {
        return new Node(name, List.of(address), List.of(podCidr), "");
    }

    public Node withWireguardPublicKey(String key) {
        return new Node(name, addresses, podCidrs, key);
    }
}
