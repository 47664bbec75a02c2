package io.nodemesh.ebpf.internal;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.plan.Allocations;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a {@code struct nm_event} record (96 bytes, see bpf/README.md) into a {@link FlowEvent}, naming workloads,
 * identities and services with the state that was applied when it arrived.
 */
final class FlowEventDecoder {
    static final int RECORD_SIZE = 96;
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final String node;
    private final MeshIndex index;
    private final Map<Integer, String> services = new HashMap<>();
    private final Map<Integer, String> identities = new HashMap<>();
    /** CLOCK_MONOTONIC (the kernel's bpf_ktime_get_ns, and System.nanoTime on Linux) to wall-clock time. */
    private final Instant bootEpoch;

    FlowEventDecoder(String node, MeshIndex index, Allocations allocations) {
        this.node = node;
        this.index = index;
        allocations.services().forEach((k, v) -> services.put(v, k));
        allocations.identities().forEach((k, v) -> identities.put(v, k));
        identities.put(1, Identities.HOST);
        this.bootEpoch = Instant.now().minusNanos(System.nanoTime());
    }

    FlowEvent decode(byte[] record) {
        if (record.length < RECORD_SIZE)
            throw new IllegalArgumentException("flow record of " + record.length + " bytes, expected " + RECORD_SIZE);
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        long ts = b.getLong(0);
        long bytes = b.getLong(16);
        String src = ip(record, 24), dst = ip(record, 40), backend = ip(record, 56);
        int srcPort = Short.toUnsignedInt(b.getShort(72)), dstPort = Short.toUnsignedInt(b.getShort(74));
        int backendPort = Short.toUnsignedInt(b.getShort(76));
        int type = Byte.toUnsignedInt(b.get(78)),
                verdict = Byte.toUnsignedInt(b.get(79)),
                path = Byte.toUnsignedInt(b.get(80));
        int srcIdentity = b.getInt(84), dstIdentity = b.getInt(88), serviceId = b.getInt(92);
        FlowEvent.Type[] types = FlowEvent.Type.values();
        if (type < 1 || type > types.length) throw new IllegalArgumentException("unknown flow event type " + type);
        boolean hasBackend = !Arrays.equals(Arrays.copyOfRange(record, 56, 72), new byte[16]);
        return new FlowEvent(
                bootEpoch.plus(Duration.ofNanos(ts)),
                node,
                types[type - 1],
                peer(src, srcPort, srcIdentity),
                peer(dst, dstPort, hasBackend ? 0 : dstIdentity),
                services.getOrDefault(serviceId, ""),
                hasBackend ? peer(backend, backendPort, dstIdentity) : null,
                enumAt(Verdict.values(), verdict),
                enumAt(FlowPath.values(), path),
                bytes);
    }

    private FlowPeer peer(String ip, int port, int identity) {
        Workload w = index.workloadByIp(ip).orElse(null);
        String id = w != null
                ? w.identity()
                : identities.getOrDefault(identity, identity == 0 ? index.identityOf(ip) : "identity-" + identity);
        return new FlowPeer(ip, port, w == null ? "" : w.key(), id);
    }

    private static <E> E enumAt(E[] values, int i) {
        if (i >= values.length) throw new IllegalArgumentException("unknown value " + i);
        return values[i];
    }

    /** 16 network-order bytes; v4-mapped shown as plain IPv4. */
    static String ip(byte[] record, int offset) {
        byte[] raw = Arrays.copyOfRange(record, offset, offset + 16);
        try {
            if (Arrays.equals(Arrays.copyOf(raw, 12), V4_MAPPED_PREFIX)) {
                return InetAddress.getByAddress(Arrays.copyOfRange(raw, 12, 16)).getHostAddress();
            }
            return InetAddress.getByAddress(raw).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
