package io.nodemesh.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.examples.demo.ClusterShape;
import io.nodemesh.examples.demo.DemoStates;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lab's pieces that need no kernel: its line protocol, the pcap reader, the HTTP reply reader, the state. */
class LabProtocolTest {
    @Test
    void commandsParseAndABadLineIsNamed() {
        assertThat(PodCommand.parse("7 tcp demo-a 10.96.0.2 80 5 64".split(" ")))
                .isEqualTo(new PodCommand.Exchange(PodCommand.Kind.tcp, "demo-a", "10.96.0.2", 80, 5, 64));
        assertThat(PodCommand.parse("1 loop-peek move".split(" "))).isEqualTo(new PodCommand.LoopPeek("move"));
        assertThatThrownBy(() -> PodCommand.parse("3 udp a 10.96.0.2 x 1 1".split(" ")))
                .hasMessageContaining("bad command '3 udp a 10.96.0.2 x 1 1'");
        assertThatThrownBy(() -> PodCommand.parse("3 jump".split(" "))).hasMessageContaining("unknown verb 'jump'");
    }

    @Test
    void answersRoundTrip() {
        PodClient.Result r = new PodClient.Result("svc-01-0", 128, new long[] {1500, 2500});
        PodClient.Result back = PodClient.Result.parse(r.toLine());
        assertThat(back.backend()).isEqualTo("svc-01-0");
        assertThat(back.rttNanos()).containsExactly(1500, 2500);
        assertThat(LoopReport.parse("svc-05-0=3;svc-08-0=4 1 connect to 10.96.0.6:80: refused"))
                .isEqualTo(new LoopReport(
                        List.of(new LoopReport.Run("svc-05-0", 3), new LoopReport.Run("svc-08-0", 4)),
                        1,
                        "connect to 10.96.0.6:80: refused"));
        assertThat(LoopReport.parse("- 0 -").connections()).isZero();
    }

    @Test
    void httpReplyReadsStatusHeadersAndBodyOffAKeepAliveStream() throws Exception {
        byte[] two = "HTTP/1.1 200 OK\r\nContent-length: 8\r\n\r\nsvc-01-0HTTP/1.1 503 No\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        var in = new ByteArrayInputStream(two);
        assertThat(HttpReply.read(in).body()).isEqualTo("svc-01-0");
        assertThat(HttpReply.read(in).status()).isEqualTo(503);
    }

    @Test
    void pcapFramesAreReadFromTheBytes() {
        byte[] frame = new byte[14 + 20 + 8 + 4];
        frame[12] = 0x08; // IPv4
        frame[14] = 0x45;
        frame[23] = 17; // UDP
        System.arraycopy(new byte[] {(byte) 192, (byte) 168, 0, 1, (byte) 192, (byte) 168, 0, 2}, 0, frame, 26, 8);
        ByteBuffer.wrap(frame, 34, 4).putShort((short) 51820).putShort((short) 51820);
        ByteBuffer pcap = ByteBuffer.allocate(24 + 16 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
        pcap.putInt(0xa1b2c3d4).position(24);
        pcap.putInt(0).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        List<PcapFrame> frames = PcapFrame.parse(pcap.array());
        assertThat(frames).hasSize(1);
        assertThat(frames.getFirst().isWireguard(51820)).isTrue();
        assertThat(frames.getFirst().src()).isEqualTo("192.168.0.1");
        assertThatThrownBy(() -> PcapFrame.parse(new byte[24])).hasMessageContaining("not a little-endian pcap");
    }

    @Test
    void theLabStateIsTheDemosWithPlacementsKeysAndPorts() {
        MeshState demo = DemoStates.build(new ClusterShape(2, 10, 1), 1);
        Map<String, String> keys = new HashMap<>();
        demo.nodes().forEach(n -> keys.put(n.name(), n.wireguardPublicKey()));
        Map<String, LabPod> pods = new HashMap<>();
        for (Workload w : demo.workloads()) {
            pods.put(
                    w.key(),
                    new LabPod(
                            w.key(),
                            w.name(),
                            null,
                            w.ips().getFirst(),
                            "nmx1p" + pods.size(),
                            "v1",
                            Path.of("/sys/fs/cgroup/unified/nmx1n1", w.name())));
        }
        MeshState lab = LabState.of(demo, keys, pods);
        assertThat(lab.validate()).isEmpty();
        Workload first = lab.workloads().getFirst();
        assertThat(first.placement().netns()).isEqualTo("/var/run/netns/nmx1p0");
        assertThat(first.placement().cgroup()).isEqualTo(first.name());
        Service l4 = lab.services().getFirst();
        Service l7 = lab.services().stream().filter(Service::l7).findFirst().orElseThrow();
        assertThat(l4.ports()).anyMatch(p -> p.protocol() == Protocol.UDP && p.port() == PodServers.UDP_PORT);
        assertThat(l7.ports()).noneMatch(p -> p.protocol() == Protocol.UDP);
        assertThat(LabState.backends(LabState.withBackends(lab, "demo/svc-05", "svc-08"), "demo/svc-05"))
                .containsExactly("demo/svc-08-0");
        keys.remove("node-2");
        assertThatThrownBy(() -> LabState.of(demo, keys, pods))
                .hasMessageContaining("no WireGuard key for node node-2");
    }
}
