package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import java.util.Optional;

/**
 * {@link HttpFault} as Envoy's HTTP fault filter. The filter sits in the connection manager with an empty config (it
 * injects nothing by itself) and each faulty route carries its own {@code HTTPFault} in {@code typed_per_filter_config},
 * which both Envoy and proxyless gRPC (gRFC A33) read. Only services that have a faulty route get the filter, so the
 * listeners of every other service stay as they were.
 */
final class FaultTranslator {
    static final String FAULT = "envoy.filters.http.fault";

    private FaultTranslator() {}

    /** Whether some rule of some route of {@code s} injects a fault. */
    static boolean hasFaults(MeshState state, Service s) {
        return state.routes().stream()
                .filter(r -> r.service().equals(s.key()))
                .anyMatch(r -> r.rules().stream().anyMatch(rule -> rule.fault().active()));
    }

    /** The connection manager's fault filter: no fault of its own, routes override it. */
    static HttpFilter filter() {
        return HttpFilter.newBuilder()
                .setName(FAULT)
                .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
                .build();
    }

    /** The per-route config of a rule, none when it injects nothing. */
    static Optional<Any> perRoute(HttpFault f) {
        if (!f.active()) return Optional.empty();
        var fault = HTTPFault.newBuilder();
        if (f.delays()) {
            fault.setDelay(FaultDelay.newBuilder()
                    .setFixedDelay(Protos.duration(f.delay()))
                    .setPercentage(percent(f.delayPercent())));
        }
        if (f.aborts()) {
            fault.setAbort(
                    FaultAbort.newBuilder().setHttpStatus(f.abortStatus()).setPercentage(percent(f.abortPercent())));
        }
        return Optional.of(Any.pack(fault.build()));
    }

    private static FractionalPercent percent(int percent) {
        return FractionalPercent.newBuilder()
                .setNumerator(percent)
                .setDenominator(FractionalPercent.DenominatorType.HUNDRED)
                .build();
    }
}
