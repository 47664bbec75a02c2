package io.nodemesh.ebpf.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityValidatorTest {
    private static Service service(int i, List<Endpoint> endpoints, LoadBalancing lb) {
        return new Service(
                "s",
                "svc" + i,
                List.of("10.96." + (i / 250) + "." + (i % 250 + 1)),
                List.of(ServicePort.tcp(80, 8080)),
                endpoints,
                Map.of(),
                lb,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    private static List<Endpoint> endpoints(int n) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Endpoint.ready("10.201." + (i / 250) + "." + (i % 250 + 1), ""));
        return out;
    }

    @Test
    void tenThousandAndOneServicesExceedTheDefaultLimit() {
        var b = MeshState.builder();
        for (int i = 0; i < 10_001; i++) b.service(service(i, List.of(), LoadBalancing.RANDOM));
        List<Violation> v = new MapPlanner(PlanLimits.DEFAULTS, PlacementResolver.NONE).validate(b.build());
        assertThat(v)
                .extracting(Violation::toString)
                .contains("services: 10001 services exceed ebpf.maxServices = 10000");
    }

    @Test
    void exactlyAtTheLimitsIsFine() {
        var limits = new PlanLimits(2, 2, 6, 3, 3, 4, 14, 7);
        var b = MeshState.builder()
                .service(service(0, endpoints(3), LoadBalancing.MAGLEV))
                .service(service(1, endpoints(3), LoadBalancing.MAGLEV));
        for (int i = 0; i < 3; i++) {
            b.workload(new Workload(
                    "s", "w" + i, "n1", List.of("10.200.0." + (i + 1)), "spiffe://c/ns/s/sa/w" + i, Map.of(), null));
        }
        b.policy(new Policy(
                "s",
                "p",
                PolicyAction.ALLOW,
                List.of("spiffe://c/ns/s/sa/w0", "host"),
                List.of("spiffe://c/ns/s/sa/w1"),
                List.of(),
                List.of(80, 443),
                List.of()));
        assertThat(new MapPlanner(limits, PlacementResolver.NONE).validate(b.build()))
                .isEmpty();
    }

    @Test
    void everyLimitIsReportedWithTheObjectAndTheSettingToRaise() {
        var limits = new PlanLimits(1, 1, 4, 3, 2, 3, 7, 7);
        var b = MeshState.builder()
                .service(service(0, endpoints(8), LoadBalancing.MAGLEV))
                .service(service(1, endpoints(1), LoadBalancing.MAGLEV));
        for (int i = 0; i < 3; i++) {
            b.workload(new Workload(
                    "s", "w" + i, "n1", List.of("10.200.0." + (i + 1)), "spiffe://c/ns/s/sa/w" + i, Map.of(), null));
        }
        b.policy(new Policy(
                "s",
                "p",
                PolicyAction.ALLOW,
                List.of("spiffe://c/ns/s/sa/w0", "host"),
                List.of("spiffe://c/ns/s/sa/w1"),
                List.of(),
                List.of(80, 443),
                List.of()));
        List<String> v = new MapPlanner(limits, PlacementResolver.NONE)
                .validate(b.build()).stream().map(Violation::toString).toList();
        assertThat(v)
                .containsExactlyInAnyOrder(
                        "services[s/svc0].endpoints: 8 ready IPv4 backends exceed ebpf.maxBackendsPerService = 3",
                        "services[s/svc0].loadBalancing: 8 ready IPv4 backends exceed the Maglev table size ebpf.maglevTableSize = 7",
                        "services: 2 services exceed ebpf.maxServices = 1",
                        "services: 2 VIP:port entries exceed ebpf.maxVipPorts = 1",
                        "services: 9 ready backends exceed ebpf.maxBackends = 4",
                        "services: 14 Maglev table entries exceed ebpf.maxMaglevEntries = 7",
                        "workloads: 3 workload addresses exceed ebpf.maxIdentities = 2",
                        "workloads: 3 workloads on node n1 exceed ebpf.maxIdentities = 2",
                        "policies: 4 kernel policy rules exceed ebpf.maxPolicyRules = 3");
    }

    @Test
    void limitsComeFromOptionsAndBadValuesAreNamed() {
        var options = new DataplaneOptions("n1", Map.of("ebpf.maxServices", "20", "ebpf.maglevTableSize", "251"));
        PlanLimits limits = PlanLimits.from(options);
        assertThat(limits.maxServices()).isEqualTo(20);
        assertThat(limits.maglevTableSize()).isEqualTo(251);
        assertThat(limits.maxBackends()).isEqualTo(PlanLimits.DEFAULTS.maxBackends());
        assertThat(limits.backendSets()).isEqualTo(41);
        assertThatThrownBy(() -> PlanLimits.from(options.with("ebpf.maxBackends", "lots")))
                .hasMessageStartingWith("option ebpf.maxBackends: 'lots' is not an integer");
        assertThatThrownBy(() -> PlanLimits.from(options.with("ebpf.maglevTableSize", "1000")))
                .hasMessage("ebpf.maglevTableSize = 1000 is not a prime");
        assertThatThrownBy(() -> PlanLimits.from(options.with("ebpf.maxBackendsPerService", "5000")))
                .hasMessageContaining("exceeds the kernel programs' bound of 1024");
    }
}
