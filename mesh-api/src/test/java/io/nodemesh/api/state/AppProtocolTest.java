package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A port's application protocol: TCP unless said, HTTP/2 for http2 and grpc, and only on TCP ports. */
class AppProtocolTest {
    private static MeshState withPort(ServicePort p) {
        return MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .service(Service.builder("shop", "api").vip("10.96.0.2").port(p).build())
                .build();
    }

    @Test
    void defaultsToTcpWhenAbsentOrNull() {
        assertThat(ServicePort.tcp(80, 8080).appProtocol()).isEqualTo(AppProtocol.TCP);
        assertThat(new ServicePort("h", 80, 0, null, null).appProtocol()).isEqualTo(AppProtocol.TCP);
        assertThat(ServicePort.tcp(80, 8080).withAppProtocol(AppProtocol.GRPC))
                .isEqualTo(ServicePort.tcp(80, 8080, AppProtocol.GRPC));
    }

    @Test
    void http2AndGrpcNeedHttp2Upstream() {
        assertThat(List.of(AppProtocol.values()))
                .filteredOn(AppProtocol::http2)
                .containsExactly(AppProtocol.HTTP2, AppProtocol.GRPC);
    }

    @Test
    void anApplicationProtocolOnAUdpPortIsAViolation() {
        ServicePort udp = new ServicePort("dns", 53, 53, Protocol.UDP, AppProtocol.HTTP2);
        assertThat(withPort(udp).validate())
                .containsExactly(
                        new Violation("services[shop/api].ports[0].appProtocol", "HTTP2 runs over TCP, not UDP"));
        assertThat(withPort(ServicePort.udp(53, 53)).validate()).isEmpty();
        assertThat(withPort(ServicePort.tcp(80, 8080, AppProtocol.GRPC)).validate())
                .isEmpty();
    }
}
