package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.List;

/**
 * A machine of the mesh: one kernel, at most one node proxy.
 *
 * @param name               unique node name
 * @param addresses          underlay addresses other nodes reach it on
 * @param podCidrs           the CIDRs its pods' addresses come from (WireGuard allowed IPs)
 * @param wireguardPublicKey its WireGuard public key in base64, or empty when it has none yet
 * @param zone               the failure domain it runs in (Kubernetes' {@code topology.kubernetes.io/zone} label), or
 *                           empty when unknown; services with a {@link Locality} prefer endpoints of the client's zone
 */
public record Node(String name, List<String> addresses, List<String> podCidrs, String wireguardPublicKey, String zone) {
    public Node {
        addresses = Lists.copy(addresses);
        podCidrs = Lists.copy(podCidrs);
        wireguardPublicKey = wireguardPublicKey == null ? "" : wireguardPublicKey;
        zone = zone == null ? "" : zone;
    }

    /** A node in no known zone. */
    public Node(String name, List<String> addresses, List<String> podCidrs, String wireguardPublicKey) {
        this(name, addresses, podCidrs, wireguardPublicKey, "");
    }

    /** A node with one underlay address and one pod CIDR, and no WireGuard key yet. */
    public static Node of(String name, String address, String podCidr) {
        return new Node(name, List.of(address), List.of(podCidr), "", "");
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Node withWireguardPublicKey(String key) {
        return new Node(name, addresses, podCidrs, key, zone);
    }

    public Node withZone(String newZone) {
        return new Node(name, addresses, podCidrs, wireguardPublicKey, newZone);
    }

    /** Collects a node's addresses and pod CIDRs. */
    public static final class Builder {
        private final String name;
        private final List<String> addresses = new ArrayList<>();
        private final List<String> podCidrs = new ArrayList<>();
        private String wireguardPublicKey = "";
        private String zone = "";

        private Builder(String name) {
            this.name = name;
        }

        public Builder address(String address) {
            addresses.add(address);
            return this;
        }

        public Builder podCidr(String cidr) {
            podCidrs.add(cidr);
            return this;
        }

        public Builder wireguardPublicKey(String key) {
            wireguardPublicKey = key;
            return this;
        }

        public Builder zone(String z) {
            zone = z;
            return this;
        }

        public Node build() {
            return new Node(name, addresses, podCidrs, wireguardPublicKey, zone);
        }
    }
}
