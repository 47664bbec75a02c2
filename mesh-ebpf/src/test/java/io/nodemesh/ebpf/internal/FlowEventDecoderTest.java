package io.nodemesh.ebpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.plan.Allocations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** struct nm_event bytes → FlowEvent, with names from the applied state. */
class FlowEventDecoderTest {
    @Test
    void decodesARedirectBetweenTwoWorkloads() {
        MeshState state = MeshState.builder()
                .node(Node.of("n1", "192.168.0.1", "10.200.0.0/24"))
                .workload(new Workload(
                        "t", "a", "n1", List.of("10.200.0.1"), "spiffe://c/ns/t/sa/a", Map.of(), Placement.NONE))
                .workload(new Workload(
                        "t", "b", "n1", List.of("10.200.0.2"), "spiffe://c/ns/t/sa/b", Map.of(), Placement.NONE))
                .build();
        Allocations alloc = new Allocations(
                Map.of("t/svc", 7), Map.of(), Map.of("spiffe://c/ns/t/sa/a", 2, "spiffe://c/ns/t/sa/b", 3), Map.of());
        FlowEventDecoder decoder = new FlowEventDecoder("n1", state.index(), alloc);
        ByteBuffer b = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, System.nanoTime()).putLong(16, 640);
        b.put(24, v4mapped(10, 200, 0, 1)).put(40, v4mapped(10, 200, 0, 2)).put(56, v4mapped(10, 200, 0, 2));
        b.putShort(72, (short) 40000).putShort(74, (short) 8080).putShort(76, (short) 8080);
        b.put(78, (byte) 3).put(79, (byte) 0).put(80, (byte) 0).put(81, (byte) 6);
        b.putInt(84, 2).putInt(88, 3).putInt(92, 7);
        FlowEvent e = decoder.decode(b.array());
        assertThat(e.type()).isEqualTo(FlowEvent.Type.REDIRECT);
        assertThat(e.verdict()).isEqualTo(Verdict.FORWARDED);
        assertThat(e.path()).isEqualTo(FlowPath.SOCKET_REDIRECT);
        assertThat(e.source().workload()).isEqualTo("t/a");
        assertThat(e.source().port()).isEqualTo(40000);
        assertThat(e.backend().workload()).isEqualTo("t/b");
        assertThat(e.backend().identity()).isEqualTo("spiffe://c/ns/t/sa/b");
        assertThat(e.service()).isEqualTo("t/svc");
        assertThat(e.bytes()).isEqualTo(640);
        assertThat(e.node()).isEqualTo("n1");
        b.put(78, (byte) 9);
        assertThatThrownBy(() -> decoder.decode(b.array())).hasMessageContaining("unknown flow event type 9");
        assertThatThrownBy(() -> decoder.decode(new byte[10])).hasMessageContaining("10 bytes");
    }

    static byte[] v4mapped(int a, int b, int c, int d) {
        byte[] r = new byte[16];
        r[10] = (byte) 0xff;
        r[11] = (byte) 0xff;
        r[12] = (byte) a;
        r[13] = (byte) b;
        r[14] = (byte) c;
        r[15] = (byte) d;
        return r;
    }
}
