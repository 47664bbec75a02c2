package io.nodemesh.ebpf.support;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.testing.PodNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The kernel set-up the dataplane root tests share. Per class: one pod network ({@link #podNetwork()},
 * {@link #removePodNetwork}). Per test: the bpf gate, a test cgroup and an empty pin root, both called {@code name}
 * under this run's prefix ({@link #prepare}), and afterwards the removal of whatever the test left ({@link #close}).
 */
public record DataplaneFixture(Bpf bpf, TestCgroup cgroup, Path pinRoot) {

    /** For {@code @BeforeAll}: a new pod network, or null when not root (each test then skips at its own gate). */
    public static PodNetwork podNetwork() {
        if (!Privileges.isRoot()) return null;
        RootSupport.requireBpf();
        return PodNetwork.create();
    }

    /** For {@code @AfterAll}: removes the pod network (if one was made) and sweeps this run's kernel objects. */
    public static void removePodNetwork(PodNetwork pods) {
        if (pods != null) pods.close();
        if (Privileges.isRoot()) RootSupport.cleanUp();
    }

    /** For {@code @BeforeEach}: skips the test without bpf; removes a stale pin root of this name. */
    public static DataplaneFixture prepare(String name) {
        Bpf bpf = RootSupport.requireBpf();
        TestCgroup cgroup = TestCgroup.create(name);
        Path pinRoot = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve(name);
        try {
            RootSupport.removeTree(pinRoot);
        } catch (RuntimeException | Error e) {
            cgroup.close(); // the test will not run, so nobody else would remove it
            throw e;
        }
        return new DataplaneFixture(bpf, cgroup, pinRoot);
    }

    /** The dataplane of node {@code n1} at this fixture's pin root and cgroup, with {@code extra} options. */
    public EbpfDataplane open(Map<String, String> extra) {
        DataplaneOptions options = new DataplaneOptions("n1", extra)
                .with("ebpf.pinRoot", pinRoot.toString())
                .with("ebpf.cgroupRoot", cgroup.path().toString());
        return EbpfDataplane.open(bpf, options);
    }

    /**
     * For {@code @AfterEach}: leaves and removes the cgroup; a failed test may leave an installation, so if pins remain,
     * detaches through the pinned links of a reopened dataplane, or else just drops the pins.
     */
    public void close() {
        close(() -> open(Map.of()));
    }

    /** {@link #close()}, reopening through {@code open} (a test that opens its dataplane its own way). */
    public void close(Supplier<EbpfDataplane> open) {
        cgroup.close();
        if (Files.exists(pinRoot)) {
            try (EbpfDataplane dp = open.get()) {
                dp.uninstall();
            } catch (RuntimeException e) {
                RootSupport.removeTree(pinRoot);
            }
        }
    }
}
