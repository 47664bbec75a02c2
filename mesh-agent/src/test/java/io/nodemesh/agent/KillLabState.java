package io.nodemesh.agent;

/**
 * The state file of a {@link KillLab} cluster: its two nodes with their WireGuard keys, pods a1, a2 (node A) and b1
 * (node B), strict WireGuard encryption, and two services: {@code t/remote} (10.97.0.10:80 → b1:7000, across
 * the tunnel) and {@code t/local} (10.97.0.11:80 → a2:7001, same node, socket-redirected). {@code fillers} more
 * services make a large state for restart-to-ready measurements: backed by b1, or by {@code backends} more pods of
 * node B (f0, f1, …: addresses only, nothing listens) when that is above 1.
 */
final class KillLabState {
    static final String VIP_CROSS = "10.97.0.10";
    static final String VIP_SAME = "10.97.0.11";
    static final int SERVICE_PORT = 80;
    static final int PORT_B1 = 7000;
    static final int PORT_A2 = 7001;

    private KillLabState() {}

    static String yaml(KillLab lab, String keyA, String keyB, int fillers) {
        return yaml(lab, keyA, keyB, fillers, 1);
    }

    static String yaml(KillLab lab, String keyA, String keyB, int fillers, int backends) {
        StringBuilder y = new StringBuilder(256 + fillers * 110);
        y.append("nodes:\n")
                .append(node("node-a", KillLab.NODE_A_IP, KillLab.CIDR_A, keyA))
                .append(node("node-b", KillLab.NODE_B_IP, KillLab.CIDR_B, keyB))
                .append("workloads:\n")
                .append(pod("a1", "node-a", KillLab.POD_A1, "client", lab.podNs("a1")))
                .append(pod("a2", "node-a", KillLab.POD_A2, "local", lab.podNs("a2")))
                .append(pod("b1", "node-b", KillLab.POD_B1, "remote", null));
        String fillerApp = backends > 1 ? "filler" : "remote";
        // 10.214.2.100 and up: in node B's pod range, apart from b1
        for (int i = 0; backends > 1 && i < backends; i++)
            y.append(pod("f" + i, "node-b", "10.214.2." + (100 + i), fillerApp, null));
        y.append("services:\n")
                .append(service("remote", VIP_CROSS, PORT_B1, "remote"))
                .append(service("local", VIP_SAME, PORT_A2, "local"));
        for (int i = 0; i < fillers; i++) {
            // 10.98.0.0/16 and up: VIPs apart from the two above
            String vip = "10.98." + (i / 250) + "." + (i % 250 + 1);
            y.append(service("filler-" + i, vip, PORT_B1, fillerApp));
        }
        return y.append("encryption: {mode: wireguard, enforcement: strict, trustDomain: cluster.local}\n")
                .toString();
    }

    private static String node(String name, String address, String cidr, String key) {
        return "  - {name: " + name + ", addresses: [" + address + "], podCidrs: [" + cidr + "], wireguardPublicKey: \""
                + key + "\"}\n";
    }

    private static String pod(String name, String node, String ip, String app, String netns) {
        return "  - {namespace: t, name: " + name + ", node: " + node + ", ips: [" + ip
                + "], identity: \"spiffe://cluster.local/ns/t/sa/" + name + "\", labels: {app: " + app + "}"
                + (netns == null ? "" : ", placement: {netns: /var/run/netns/" + netns + "}") + "}\n";
    }

    private static String service(String name, String vip, int targetPort, String app) {
        return "  - {namespace: t, name: " + name + ", vips: [" + vip + "], ports: [{port: " + SERVICE_PORT
                + ", targetPort: " + targetPort + "}], selector: {app: " + app + "}}\n";
    }
}
