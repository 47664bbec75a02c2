package io.nodemesh.ebpf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.support.RootSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 4: 50,000 services × 10 backends fit once the maps are sized at load from the {@code ebpf.max*}
 * limits (the compiled nm_rr holds 20,001 and nm_backends 262,144). Real maps, read back from the kernel.
 */
class FiftyThousandServicesRootTest {
    private Path stateDir;

    @AfterEach
    void tearDown() {
        if (stateDir != null) RootSupport.removeTree(stateDir);
        RootSupport.cleanUp();
    }

    @Test
    void fiftyThousandServicesOfTenBackendsAreWrittenIntoMapsSizedAtLoad() throws Exception {
        RootSupport.requireBpf();
        int services = 50_000, backends = 10;
        Path cgroup = Files.createDirectories(
                RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve("scale"));
        Path pins = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("scale");
        stateDir = Files.createTempDirectory("nm-scale");
        Map<String, String> props = new HashMap<>(Map.of(
                "ebpf.cgroupRoot", cgroup.toString(),
                "ebpf.pinRoot", pins.toString(),
                "ebpf.stateDir", stateDir.toString()));
        props.putAll(ControlPlaneStates.limitOptions(ControlPlaneStates.limitsFor(services, backends)));
        MeshState state = ControlPlaneStates.big(services, backends);
        EbpfDataplane dp = EbpfDataplane.open(new DataplaneOptions(ControlPlaneStates.NODE, props));
        try {
            assertThat(dp.installation().map("nm_rr").info().maxEntries()).isEqualTo(2 * services + 1);
            assertThat(dp.installation()
                            .map(KernelMap.BACKENDS.mapName())
                            .info()
                            .maxEntries())
                    .isEqualTo(services * backends);
            dp.apply(state);
            assertThat(dp.installation().map(KernelMap.BACKENDS.mapName()).keys())
                    .hasSize(services * backends);
            assertThat(dp.installation().map(KernelMap.SERVICES.mapName()).keys())
                    .hasSizeGreaterThanOrEqualTo(services);
            assertThat(dp.health().getFirst().toString()).contains("nm_backends");
        } finally {
            dp.uninstall();
            dp.close();
        }
    }
}
