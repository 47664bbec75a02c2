package io.nodemesh.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.fake.FakeLibbpf;
import io.nodemesh.ebpf.fake.FakeNodemeshObjects;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Over random sequences of states and a random injected map failure: a failed apply leaves every map exactly as
 * before and the previous state in place; a successful one is idempotent (applying it again writes nothing).
 */
class ApplyRollbackPropertyTest {
    static final List<String> IDS = List.of("spiffe://c/ns/p/sa/a", "spiffe://c/ns/p/sa/b", "spiffe://c/ns/p/sa/c");
    static final List<String> FAILING_MAPS =
            List.of("nm_ip_identity", "nm_policy", "nm_policy_selected", "nm_services", "nm_backends", "nm_config");

    record Failure(String map, int nth) {}

    @Property(tries = 60)
    void failedAppliesChangeNothingAndSuccessfulOnesAreIdempotent(
            @ForAll("states") List<MeshState> states, @ForAll("failures") List<Failure> failures) throws IOException {
        Path tmp = Files.createTempDirectory("nm-prop");
        try {
            Path bpffs = Files.createDirectories(tmp.resolve("bpffs"));
            Path cgroup = Files.createDirectories(tmp.resolve("cgroup"));
            FakeLibbpf fake = FakeNodemeshObjects.define(new FakeLibbpf(bpffs, cgroup));
            DataplaneOptions options = new DataplaneOptions("n1", Map.of())
                    .with("ebpf.pinRoot", bpffs.resolve("nodemesh").toString())
                    .with("ebpf.cgroupRoot", cgroup.toString())
                    .with("ebpf.stateDir", tmp.resolve("state").toString());
            try (EbpfDataplane dp = EbpfDataplane.open(BpfSeam.over(fake), options)) {
                for (int i = 0; i < states.size(); i++) {
                    MeshState next = states.get(i);
                    Failure failure = failures.get(i % failures.size());
                    Map<String, Map<String, String>> before = snapshot(fake);
                    MeshState previous = dp.state();
                    if (failure != null) fake.failUpdatesOf(failure.map(), failure.nth());
                    try {
                        dp.apply(next);
                    } catch (ApplyException e) {
                        assertThat(snapshot(fake)).isEqualTo(before);
                        assertThat(dp.state()).isEqualTo(previous);
                        fake.failUpdatesOf(failure.map(), Integer.MAX_VALUE); // disarm
                        continue;
                    }
                    if (failure != null) fake.failUpdatesOf(failure.map(), Integer.MAX_VALUE);
                    Map<String, Map<String, String>> after = snapshot(fake);
                    assertThat(dp.apply(next).unchanged()).isTrue();
                    assertThat(snapshot(fake)).isEqualTo(after);
                    assertThat(dp.state()).isEqualTo(next);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static Map<String, Map<String, String>> snapshot(FakeLibbpf fake) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (KernelMap km : KernelMap.values()) {
            Map<String, String> m = new TreeMap<>();
            fake.contents(km.mapName())
                    .forEach((k, v) -> m.put(k, HexFormat.of().formatHex(v)));
            out.put(km.mapName(), m);
        }
        return out;
    }

    @Provide
    Arbitrary<List<Failure>> failures() {
        Arbitrary<Failure> one = Combinators.combine(
                        Arbitraries.of(FAILING_MAPS), Arbitraries.integers().between(1, 3))
                .as(Failure::new);
        return one.injectNull(0.3).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<MeshState>> states() {
        Arbitrary<Integer> workloads = Arbitraries.integers().between(0, 5);
        Arbitrary<List<int[]>> policies = Combinators.combine(
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 1))
                .as((s, d, a) -> new int[] {s, d, a})
                .list()
                .ofMaxSize(3);
        Arbitrary<Boolean> service = Arbitraries.of(true, false);
        return Combinators.combine(workloads, policies, service)
                .as(ApplyRollbackPropertyTest::state)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
    }

    static MeshState state(int workloads, List<int[]> policies, boolean service) {
        var b = MeshState.builder()
                .node(Node.of("n1", "192.168.50.1", "10.200.0.0/24"))
                .node(Node.of("n2", "192.168.50.2", "10.200.1.0/24"));
        for (int i = 0; i < workloads; i++) {
            String node = i % 2 == 0 ? "n1" : "n2";
            String ip = (node.equals("n1") ? "10.200.0." : "10.200.1.") + (10 + i);
            b.workload(new Workload(
                    "p",
                    "w" + i,
                    node,
                    List.of(ip),
                    IDS.get(i % IDS.size()),
                    Map.of("app", "w" + (i % 2)),
                    Placement.NONE));
        }
        List<Policy> ps = new ArrayList<>();
        for (int i = 0; i < policies.size(); i++) {
            int[] p = policies.get(i);
            if (p[0] >= workloads || p[1] >= workloads) continue; // a policy may only name identities some workload has
            ps.add(new Policy(
                    "p",
                    "pol" + i,
                    p[2] == 0 ? PolicyAction.ALLOW : PolicyAction.DENY,
                    List.of(IDS.get(p[0])),
                    List.of(IDS.get(p[1])),
                    List.of(),
                    List.of(8080),
                    List.of()));
        }
        ps.forEach(b::policy);
        if (service) {
            b.service(new Service(
                    "p",
                    "svc",
                    List.of("10.96.0.1"),
                    List.of(ServicePort.tcp(80, 8080)),
                    List.of(),
                    Map.of("app", "w0"),
                    LoadBalancing.ROUND_ROBIN,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
        }
        return b.build();
    }
}
