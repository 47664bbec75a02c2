package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Istio 1.24's published per-proxy table (istio.io, Performance and Scalability): with 1000 HTTP requests per second
 * of 1 KB through a proxy, in their benchmark mesh of 1000 services and 2000 pods, a sidecar uses 0.20 vCPU and 60 MB,
 * a waypoint 0.25 vCPU, a ztunnel 0.06 vCPU and 12 MB. The planner simulates one cross-node request stream at 1000 rps
 * and must find those figures on each proxy of the path. ztunnel relays HTTP at L4, so its case has no L7 service.
 */
class IstioTableTest {
    private static final ClusterShape ISTIO_MESH = ClusterShape.of(20, 1000, 2);

    private static LoadPoint run(String model, double l7Fraction) {
        PlanRequest req = new PlanRequest(
                ISTIO_MESH.withL7Fraction(l7Fraction),
                List.of(Model.parse(model)),
                List.of(1000.0),
                1024,
                40_000,
                TrafficPattern.PAIR,
                7);
        return new Planner(ParameterFile.defaults())
                .plan(req, ProgressListener.NONE)
                .loads()
                .getFirst();
    }

    @Test
    void sidecarUses020VcpuAnd60Mb() {
        LoadPoint p = run("sidecar+mtls", 1);
        List<ProxyUsage> busy = p.busiestProxies();
        assertThat(busy).hasSize(2).allSatisfy(u -> {
            assertThat(u.kind()).isEqualTo("sidecar");
            assertThat(u.vcpu()).isCloseTo(0.20, within(0.01));
            assertThat(u.rps()).isCloseTo(1000, within(30.0));
            assertThat(u.memoryMb()).isCloseTo(60, within(0.1));
        });
        assertThat(busy.get(0).node())
                .as("one cross-node request: the two sidecars are on different nodes")
                .isNotEqualTo(busy.get(1).node());
    }

    @Test
    void theTerminalTableShowsThePerProxyFigures() {
        PlanRequest req = new PlanRequest(
                ISTIO_MESH.withL7Fraction(1),
                List.of(Model.parse("sidecar+mtls")),
                List.of(1000.0),
                1024,
                20_000,
                TrafficPattern.PAIR,
                7);
        String table = io.nodemesh.planner.report.TableReport.render(
                new Planner(ParameterFile.defaults()).plan(req, ProgressListener.NONE));
        assertThat(table).containsPattern("sidecar\\+mtls +1000 sidecar +\\d+ +0\\.(19|20|21)\\d +\\d+ +60\\.0");
    }

    @Test
    void ztunnelUses006VcpuAnd12Mb() {
        LoadPoint p = run("node+mtls", 0);
        assertThat(p.busiestProxies()).hasSize(2).allSatisfy(u -> {
            assertThat(u.kind()).isEqualTo("node-proxy");
            assertThat(u.vcpu()).isCloseTo(0.06, within(0.004));
            assertThat(u.memoryMb()).isCloseTo(12, within(0.1));
        });
    }

    @Test
    void nodeProxyDoingL7WithMtlsCostsWhatAWaypointDoes() {
        LoadPoint p = run("node+mtls", 1);
        assertThat(p.busiestProxies())
                .hasSize(2)
                .allSatisfy(u -> assertThat(u.vcpu()).isCloseTo(0.25, within(0.012)));
    }

    @Test
    void ebpfSendsOnlyL7ServicesThroughOneProxy() {
        LoadPoint p = run("ebpf", 1);
        assertThat(p.busiestProxies())
                .as("eBPF: only the client node's proxy, and only for the L7 service")
                .hasSize(1);
        // The waypoint's 0.25 vCPU less its mTLS share (2 x 27.7 us per request): WireGuard or nothing encrypts here.
        assertThat(p.busiestProxies().getFirst().vcpu()).isCloseTo(0.25 - 0.0554, within(0.01));
        assertThat(run("ebpf", 0).busiestProxies())
                .as("an L4 service touches no proxy at all")
                .isEmpty();
    }
}
