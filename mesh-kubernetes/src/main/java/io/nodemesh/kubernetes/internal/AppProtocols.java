package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.Protocol;
import java.util.Locale;

/**
 * A Kubernetes ServicePort's {@code appProtocol} as the mesh's. The field is free text (IANA names, or prefixed names
 * like {@code kubernetes.io/h2c}); what the mesh does not know keeps the default, as Kubernetes itself treats it as a
 * hint, not an error.
 */
final class AppProtocols {
    private AppProtocols() {}

    static AppProtocol of(String appProtocol, Protocol protocol) {
        if (appProtocol == null || protocol != Protocol.TCP) return AppProtocol.TCP;
        return switch (appProtocol.trim().toLowerCase(Locale.ROOT)) {
            case "http", "kubernetes.io/http" -> AppProtocol.HTTP;
            case "http2", "h2c", "kubernetes.io/h2c" -> AppProtocol.HTTP2;
            case "grpc", "kubernetes.io/grpc" -> AppProtocol.GRPC;
            default -> AppProtocol.TCP;
        };
    }
}
