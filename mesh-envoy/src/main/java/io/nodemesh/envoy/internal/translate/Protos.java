package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.nodemesh.api.state.IpAddresses;

/** Small builders shared by the translators. */
final class Protos {
    private Protos() {}

    /** "Fetch it over the same ADS stream", the only config source nodemesh uses. */
    static ConfigSource ads() {
        return ConfigSource.newBuilder()
                .setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3)
                .build();
    }

    static Duration duration(java.time.Duration d) {
        return Duration.newBuilder()
                .setSeconds(d.getSeconds())
                .setNanos(d.getNano())
                .build();
    }

    /** A host route for one address: /32 for IPv4, /128 for IPv6. */
    static CidrRange host(String ip) {
        return CidrRange.newBuilder()
                .setAddressPrefix(IpAddresses.canonical(ip))
                .setPrefixLen(com.google.protobuf.UInt32Value.of(IpAddresses.isV6(ip) ? 128 : 32))
                .build();
    }
}
