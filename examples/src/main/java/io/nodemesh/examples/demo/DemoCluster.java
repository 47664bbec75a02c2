package io.nodemesh.examples.demo;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's mesh as one cluster-wide {@link MeshState}: no per-pod configuration anywhere. Services are selected by
 * label; load balancing cycles through random, round-robin and Maglev; every fifth service has session affinity and
 * every tenth needs L7 (so it goes through the node proxy); nodes are joined by strict WireGuard.
 * <p>
 * Policies: {@code svc-03} may not call {@code svc-07} (a deny), and only {@code svc-01} and {@code svc-02} may call
 * {@code svc-00} (an allow, which makes {@code svc-00} default-deny for everyone else, host processes included).
 */
final class DemoCluster {
    static final String NS = "demo";
    static final int SERVICE_PORT = 80;
    static final int TARGET_PORT = 8080;

    private DemoCluster() {}

    static String serviceName(int s) {
        return String.format("svc-%02d", s);
    }

    static String identity(int s) {
        return "spiffe://cluster.local/ns/" + NS + "/sa/" + serviceName(s);
    }

    /** Service {@code s}'s VIP, in 10.96.0.0/16. */
    static String vip(int s) {
        return "10.96." + (s / 250) + "." + (s % 250 + 1);
    }

    static MeshState build(ClusterShape shape, long seed) {
        SplittableRandom keys = new SplittableRandom(seed);
        MeshState.Builder b = MeshState.builder();
        for (int n = 0; n < shape.nodes(); n++) {
            b.node(Node.builder(nodeName(n))
                    .address("192.168.0." + (n + 1))
                    .podCidr("10." + (128 + n) + ".0.0/16")
                    .wireguardPublicKey(wireguardKey(keys))
                    .build());
        }
        int[] podsOnNode = new int[shape.nodes()];
        int global = 0;
        for (int s = 0; s < shape.services(); s++) {
            String app = serviceName(s);
            for (int p = 0; p < shape.podsPerService(); p++, global++) {
                int n = global % shape.nodes(); // spread pods evenly, as a scheduler would
                int k = podsOnNode[n]++;
                String ip = "10." + (128 + n) + "." + (k / 250) + "." + (k % 250 + 2);
                b.workload(Workload.builder(NS, app + "-" + p)
                        .node(nodeName(n))
                        .ip(ip)
                        .identity(identity(s))
                        .label("app", app)
                        .build());
            }
            LoadBalancing lb = LoadBalancing.values()[s % LoadBalancing.values().length];
            SessionAffinity affinity =
                    s % 5 == 4 ? SessionAffinity.clientIp(Duration.ofMinutes(10)) : SessionAffinity.NONE;
            b.service(Service.builder(NS, app)
                    .vip(vip(s))
                    .tcp(SERVICE_PORT, TARGET_PORT)
                    .select("app", app)
                    .loadBalancing(lb)
                    .affinity(affinity)
                    .layer(s % 10 == 9 ? ServiceLayer.L7 : ServiceLayer.L4)
                    .build());
        }
        if (shape.services() > 7) {
            b.policy(Policy.deny(NS, "deny-03-to-07")
                    .from(identity(3))
                    .toServices(NS + "/" + serviceName(7))
                    .build());
        }
        if (shape.services() > 2) {
            b.policy(Policy.allow(NS, "only-01-02-to-00")
                    .from(identity(1), identity(2))
                    .toServices(NS + "/" + serviceName(0))
                    .build());
        }
        b.encryption(EncryptionSpec.wireguard(EncryptionSpec.Enforcement.STRICT));
        return b.build();
    }

    static String nodeName(int n) {
        return "node-" + (n + 1);
    }

    /** A stand-in public key: 32 seeded bytes (the simulator only needs to know each node has one). */
    private static String wireguardKey(SplittableRandom random) {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) key[i] = (byte) random.nextInt(256);
        return Base64.getEncoder().encodeToString(key);
    }

    static List<Workload> pods(MeshState state) {
        return new ArrayList<>(state.workloads());
    }
}
