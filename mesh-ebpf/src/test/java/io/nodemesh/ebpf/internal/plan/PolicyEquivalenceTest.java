package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The kernel's policy lookups over the compiled maps decide exactly as {@code MeshIndex.allows}, for every source,
 * destination, service and port — the property the whole policy encoding rests on.
 */
class PolicyEquivalenceTest {
    private static final MapPlanner PLANNER = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE);

    @Provide
    Arbitrary<MeshState> states() {
        return StateGen.states();
    }

    @Property(tries = 300)
    void kernelPolicyEqualsMeshIndex(@ForAll("states") MeshState state) {
        assertThat(state.validate()).isEmpty();
        MapPlan plan = PLANNER.plan(state, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        KernelModel kernel = new KernelModel(plan);
        MeshIndex index = state.index();
        Map<String, Integer> ids = plan.allocations().identities();

        List<String> sources = new ArrayList<>(StateGen.IDENTITIES);
        sources.add("host");
        List<String> destinations = new ArrayList<>(sources);
        List<String> services =
                new ArrayList<>(state.services().stream().map(Service::key).toList());
        services.add("");
        List<Integer> ports = List.of(80, 443, 8080, 5353, 9999);
        for (String src : sources) {
            if (!src.equals("host") && !ids.containsKey(src)) continue; // an identity no workload has never connects
            int srcId = src.equals("host") ? KernelAbi.IDENTITY_HOST : ids.get(src);
            for (String dst : destinations) {
                if (!dst.equals("host") && !ids.containsKey(dst)) continue;
                int dstId = dst.equals("host") ? KernelAbi.IDENTITY_HOST : ids.get(dst);
                for (String svc : services) {
                    int svcId =
                            svc.isEmpty() ? 0 : plan.allocations().services().get(svc);
                    for (int port : ports) {
                        assertThat(kernel.allows(srcId, dstId, svcId, port))
                                .as("%s -> %s via '%s' port %d with %s", src, dst, svc, port, state.policies())
                                .isEqualTo(index.allows(src, dst, svc, port));
                    }
                }
            }
        }
    }

    /** Identities the kernel reads by address agree with MeshIndex.identityOf. */
    @Property(tries = 100)
    void addressesHaveTheirWorkloadsIdentity(@ForAll("states") MeshState state) {
        MapPlan plan = PLANNER.plan(state, "n1", KernelConfig.DEFAULT, Allocations.NONE);
        KernelModel kernel = new KernelModel(plan);
        for (Workload w : state.workloads()) {
            for (String ip : w.ips()) {
                assertThat(kernel.identityOfIp(ip))
                        .isEqualTo(plan.allocations().identities().get(w.identity()));
            }
        }
        assertThat(kernel.identityOfIp("192.0.2.1")).isEqualTo(KernelAbi.IDENTITY_HOST);
    }
}
