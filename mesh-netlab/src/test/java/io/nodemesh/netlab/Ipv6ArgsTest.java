package io.nodemesh.netlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The IPv6 variants pick their flags from the address family, and refuse what the kernel would misread. */
class Ipv6ArgsTest {
    @Test
    void anIpv6GatewayMakesAnIpv6Route() {
        assertThat(Routes.args("default", "fd00:230::1", List.of()))
                .containsExactly("-6", "route", "add", "default", "via", "fd00:230::1");
        assertThat(Routes.args("fd00:231::/64", "fd00:230::1", List.of("metric", "5")))
                .containsExactly("-6", "route", "add", "fd00:231::/64", "via", "fd00:230::1", "metric", "5");
    }

    @Test
    void anIpv4GatewayKeepsThePlainRoute() {
        assertThat(Routes.args("default", "10.230.0.1", List.of()))
                .containsExactly("route", "add", "default", "via", "10.230.0.1");
    }

    @Test
    void nodadOnAnIpv4AddressIsRefusedNamingIt() {
        // no command runs: the check comes first, so this needs no root
        assertThatThrownBy(() -> Addresses.addWithoutDad(Netns.named("nmt-x"), "eth0", "10.230.0.2/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.230.0.2/24")
                .hasMessageContaining("eth0")
                .hasMessageContaining("nmt-x");
    }
}
