package io.nodemesh.ebpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.EbpfSettings;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The provider is found, cheap, and reports what is missing instead of throwing. */
class EbpfDataplaneProviderTest {
    @Test
    void foundByServiceLoaderUnderItsName() {
        DataplaneProvider provider = ServiceLoader.load(DataplaneProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("ebpf"))
                .findFirst()
                .orElseThrow();
        assertThat(provider.capabilities())
                .contains(Capability.SOCKET_REDIRECT, Capability.SOCKET_LB, Capability.L4_POLICY);
        assertThat(provider.options())
                .extracting(o -> o.key())
                .contains("ebpf.pinRoot", "ebpf.cgroupRoot", "ebpf.maxServices");
        Availability a = provider.availability(DataplaneOptions.DEFAULTS);
        if (Privileges.isRoot()) assertThat(a).isEqualTo(Availability.AVAILABLE);
        else
            assertThat(a)
                    .isInstanceOfSatisfying(
                            Availability.Unavailable.class,
                            u -> assertThat(u.reason()).contains("CAP_BPF"));
    }

    @Test
    void aMissingCgroupRootIsAnUnavailabilityNamingIt() {
        EbpfSettings settings = EbpfSettings.from(
                new DataplaneOptions("", java.util.Map.of()).with("ebpf.cgroupRoot", "/nonexistent/cgroup"));
        Availability a = EbpfAvailability.check(settings);
        assertThat(a).isInstanceOf(Availability.Unavailable.class);
        if (Privileges.isRoot())
            assertThat(((Availability.Unavailable) a).reason()).contains("/nonexistent/cgroup");
    }

    @Test
    void theProbeReadsTheCallersOptionsAndChangesNothing() throws Exception {
        Path pins = java.nio.file.Files.createTempDirectory("nm-probe")
                .resolve("sub")
                .resolve("pins");
        try {
            Availability a = new EbpfDataplaneProvider()
                    .availability(DataplaneOptions.DEFAULTS.with("ebpf.pinRoot", pins.toString()));
            if (Privileges.isRoot()) {
                assertThat(a)
                        .isInstanceOfSatisfying(
                                Availability.Unavailable.class,
                                u -> assertThat(u.reason()).contains(pins + " is not on bpffs"));
                Path underBpffs = Path.of(
                        "/sys/fs/bpf", "nm-probe-" + ProcessHandle.current().pid(), "pins");
                assertThat(new EbpfDataplaneProvider()
                                .availability(DataplaneOptions.DEFAULTS.with("ebpf.pinRoot", underBpffs.toString())))
                        .isEqualTo(Availability.AVAILABLE);
                assertThat(underBpffs.getParent()).doesNotExist();
            }
            assertThat(pins.getParent()).doesNotExist();
            assertThat(new EbpfDataplaneProvider()
                            .availability(DataplaneOptions.DEFAULTS.with("ebpf.proxyPort", "http")))
                    .isInstanceOfSatisfying(
                            Availability.Unavailable.class,
                            u -> assertThat(u.reason()).contains("ebpf.proxyPort"));
        } finally {
            java.nio.file.Files.deleteIfExists(pins.getParent().getParent());
        }
    }

    @Test
    void settingsDefaultsFollowTheMachine() {
        EbpfSettings s = EbpfSettings.from(DataplaneOptions.DEFAULTS);
        assertThat(s.pinRoot()).isEqualTo(Path.of("/sys/fs/bpf/nodemesh"));
        assertThat(s.cgroupRoot()).isEqualTo(EbpfSettings.cgroup2Mount().orElse(Path.of("/sys/fs/cgroup/unified")));
        assertThat(s.redirect() && s.policy() && s.loadBalancing()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> EbpfSettings.from(DataplaneOptions.DEFAULTS.with("ebpf.proxyPort", "http")))
                .hasMessageContaining("option ebpf.proxyPort: 'http' is not an integer in [0, 65535]");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> EbpfSettings.from(DataplaneOptions.DEFAULTS.with("ebpf.redirect", "maybe")))
                .hasMessageContaining("option ebpf.redirect: 'maybe' is not true or false");
        assertThat(Capabilities.canManageBpf(1L << Capabilities.CAP_SYS_ADMIN)).isTrue();
        assertThat(Capabilities.canManageBpf(1L << Capabilities.CAP_BPF)).isFalse();
    }

    @Test
    void theNodeProxyIsNamedByProxyAddressOrItsOlderNameProxyIp() {
        DataplaneOptions base = DataplaneOptions.DEFAULTS.with("ebpf.proxyPort", "15001");
        assertThat(EbpfSettings.from(base.with("ebpf.proxyAddress", "10.0.0.1")).proxyIp())
                .isEqualTo("10.0.0.1");
        assertThat(EbpfSettings.from(base.with("ebpf.proxyIp", "10.0.0.2")).proxyIp())
                .isEqualTo("10.0.0.2");
        assertThat(EbpfSettings.from(base.with("ebpf.proxyAddress", "10.0.0.3").with("ebpf.proxyIp", "10.0.0.3"))
                        .proxyIp())
                .isEqualTo("10.0.0.3");
        assertThat(EbpfSettings.from(base.with("ebpf.proxyAddress", "10.0.0.3")).proxyPort())
                .isEqualTo(15001);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EbpfSettings.from(
                        base.with("ebpf.proxyAddress", "10.0.0.1").with("ebpf.proxyIp", "10.0.0.2")))
                .hasMessageContaining("ebpf.proxyAddress = '10.0.0.1' and ebpf.proxyIp = '10.0.0.2'");
        assertThat(Capabilities.canManageBpf(1L << Capabilities.CAP_BPF)).isFalse();
        assertThat(Capabilities.canManageBpf((1L << Capabilities.CAP_BPF) | (1L << Capabilities.CAP_NET_ADMIN)))
                .isTrue();
    }
}
