package io.nodemesh.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.DataplaneOptions;
import org.junit.jupiter.api.Test;

class WireguardSettingsTest {
    @Test
    void defaults() {
        var s = WireguardSettings.from(DataplaneOptions.forNode("node-a"));
        assertThat(s.iface()).isEqualTo("nm-wg0");
        assertThat(s.listenPort()).isEqualTo(51820);
        assertThat(s.peerPort()).isEqualTo(51820);
        assertThat(s.netns()).isEmpty();
        assertThat(s.keepalive()).isZero();
        assertThat(s.strictCidrs()).isEmpty();
        assertThat(s.keyFile().toString()).isEqualTo("/var/lib/nodemesh/wireguard/nm-wg0.key");
    }

    @Test
    void readsEveryProperty() {
        var s = WireguardSettings.from(DataplaneOptions.forNode("node-a")
                .with(WireguardSettings.INTERFACE, "wg7")
                .with(WireguardSettings.LISTEN_PORT, "4000")
                .with(WireguardSettings.KEEPALIVE, "25")
                .with(WireguardSettings.STRICT_CIDRS, "10.0.0.0/8, fd00::/8")
                .with(WireguardSettings.ADDRESS, "10.0.1.254/32")
                .with(WireguardSettings.MTU, "1380"));
        assertThat(s.iface()).isEqualTo("wg7");
        assertThat(s.peerPort()).isEqualTo(4000);
        assertThat(s.keepalive()).isEqualTo(25);
        assertThat(s.strictCidrs()).containsExactly("10.0.0.0/8", "fd00::/8");
        assertThat(s.address()).contains("10.0.1.254/32");
        assertThat(s.mtu()).isEqualTo(1380);
    }

    @Test
    void badValuesNameTheProperty() {
        var base = DataplaneOptions.forNode("node-a");
        assertThatThrownBy(() -> WireguardSettings.from(base.with(WireguardSettings.LISTEN_PORT, "x")))
                .hasMessageContaining("wireguard.listenPort");
        assertThatThrownBy(() -> WireguardSettings.from(base.with(WireguardSettings.INTERFACE, "much-too-long-name")))
                .hasMessageContaining("wireguard.interface");
        assertThatThrownBy(() -> WireguardSettings.from(base.with(WireguardSettings.STRICT_CIDRS, "10.0.0.0")))
                .hasMessageContaining("wireguard.strictCidrs");
        assertThatThrownBy(() -> WireguardSettings.from(base.with(WireguardSettings.KEEPALIVE, "-1")))
                .hasMessageContaining("wireguard.keepalive");
        assertThatThrownBy(() -> WireguardSettings.from(DataplaneOptions.DEFAULTS))
                .hasMessageContaining("forNode");
    }

    @Test
    void presharedSecretAndFlowInterval() {
        var none = WireguardSettings.from(DataplaneOptions.forNode("node-a"));
        assertThat(none.presharedSecretFile()).isEmpty();
        assertThat(none.flowInterval()).isEqualTo(java.time.Duration.ofSeconds(3));
        var set = WireguardSettings.from(DataplaneOptions.forNode("node-a")
                .with(WireguardSettings.PRESHARED_SECRET_FILE, "/etc/nm/mesh.secret")
                .with(WireguardSettings.FLOW_INTERVAL_MS, "500"));
        assertThat(set.presharedSecretFile()).contains(java.nio.file.Path.of("/etc/nm/mesh.secret"));
        assertThat(set.flowInterval()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThatThrownBy(() -> WireguardSettings.from(
                        DataplaneOptions.forNode("node-a").with(WireguardSettings.FLOW_INTERVAL_MS, "0")))
                .hasMessageContaining("wireguard.flowIntervalMs");
    }
}
