package io.nodemesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpecBuilder;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kubernetes' free-text ServicePort.appProtocol becomes the mesh's; what the mesh does not know keeps the default. */
class AppProtocolMappingTest {
    private static io.fabric8.kubernetes.api.model.ServicePort port(int port, String protocol, String appProtocol) {
        return new io.fabric8.kubernetes.api.model.ServicePortBuilder()
                .withPort(port)
                .withProtocol(protocol)
                .withAppProtocol(appProtocol)
                .build();
    }

    @Test
    void eachKnownNameMapsAndUnknownOrAbsentOnesKeepTheDefault() {
        var svc = new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("api")
                .endMetadata()
                .withSpec(new ServiceSpecBuilder()
                        .withClusterIP("10.96.0.10")
                        .withPorts(
                                port(80, "TCP", "http"),
                                port(81, "TCP", "kubernetes.io/h2c"),
                                port(82, "TCP", "grpc"),
                                port(83, "TCP", "http2"),
                                port(84, "TCP", "GRPC"),
                                port(85, "TCP", "kubernetes.io/ws"),
                                port(86, "TCP", "example.com/custom"),
                                port(87, "TCP", null),
                                port(88, "UDP", "grpc"))
                        .build())
                .build();
        Service s = ServiceReader.read(svc, List.of(), false).orElseThrow();
        assertThat(s.ports())
                .extracting(ServicePort::appProtocol)
                .containsExactly(
                        AppProtocol.HTTP,
                        AppProtocol.HTTP2,
                        AppProtocol.GRPC,
                        AppProtocol.HTTP2,
                        AppProtocol.GRPC,
                        AppProtocol.TCP,
                        AppProtocol.TCP,
                        AppProtocol.TCP,
                        AppProtocol.TCP);
    }
}
