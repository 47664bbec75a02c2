package io.nodemesh.ebpf.bench;

import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code struct nm_event} records (96 bytes, layout in bpf/README.md) as the kernel writes them, over a small mesh so
 * the decoder has real names to find: 8 pods on the bench node, 4 services.
 */
final class FlowRecords {
    static final String NODE = "bench-node";
    static final int SIZE = 96;

    private FlowRecords() {}

    static MeshState mesh() {
        MeshState.Builder b = MeshState.builder();
        b.node(new Node(NODE, List.of("192.0.2.1"), List.of("10.64.0.0/24"), ""));
        for (int i = 0; i < 8; i++) {
            b.workload(new Workload(
                    "bench",
                    "pod-" + i,
                    NODE,
                    List.of(podIp(i)),
                    "spiffe://cluster.local/ns/bench/sa/sa-" + (i % 4),
                    Map.of("app", "app-" + (i % 4)),
                    Placement.NONE));
        }
        for (int s = 0; s < 4; s++) {
            b.service(new Service(
                    "bench",
                    "svc-" + s,
                    List.of(vip(s)),
                    List.of(ServicePort.tcp(80, 8080)),
                    List.of(),
                    Map.of("app", "app-" + s),
                    LoadBalancing.RANDOM,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
        }
        return b.build();
    }

    static String podIp(int i) {
        return "10.64.0." + (10 + i);
    }

    static String vip(int s) {
        return "10.96.0." + (10 + s);
    }

    /**
     * {@code n} records cycling over event types, verdicts and paths, from pod i to service s translated to pod j.
     * Identities and service ids are small numbers as the kernel would carry them.
     */
    static List<byte[]> records(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int type = 1 + k % 5; // CONNECT..CLOSE
            int verdict = type == 4 ? 1 + (k / 5) % 2 : 0; // DROP: a refusal verdict, else FORWARDED
            int path = type == 4 ? 0 : 1 + k % 2;
            out.add(record(
                    k,
                    podIp(k % 8),
                    vip(k % 4),
                    type == 4 ? null : podIp((k + 3) % 8),
                    type,
                    verdict,
                    path,
                    2 + k % 4,
                    2 + (k + 3) % 4,
                    1 + k % 4));
        }
        return out;
    }

    static byte[] record(
            long cookie,
            String src,
            String dst,
            String backend,
            int type,
            int verdict,
            int path,
            int srcIdentity,
            int dstIdentity,
            int serviceId) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, System.nanoTime());
        b.putLong(8, cookie);
        b.putLong(16, type == 5 ? 4096 : 0);
        b.put(24, v4mapped(src));
        b.put(40, v4mapped(dst));
        if (backend != null) b.put(56, v4mapped(backend));
        b.putShort(72, (short) (40000 + cookie % 20000));
        b.putShort(74, (short) 80);
        b.putShort(76, (short) (backend == null ? 0 : 8080));
        b.put(78, (byte) type);
        b.put(79, (byte) verdict);
        b.put(80, (byte) path);
        b.put(81, (byte) 6);
        b.putInt(84, srcIdentity);
        b.putInt(88, dstIdentity);
        b.putInt(92, serviceId);
        return b.array();
    }

    static byte[] v4mapped(String ip) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(InetAddress.ofLiteral(ip).getAddress(), 0, out, 12, 4);
        return out;
    }
}
