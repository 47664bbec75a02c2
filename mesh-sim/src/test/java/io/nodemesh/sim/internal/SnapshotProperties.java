package io.nodemesh.sim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A snapshot made incrementally after the previous one answers every lookup exactly as one built afresh from the same
 * state, through any sequence of applies: services kept as the same objects, replaced, removed, added, reordered, and
 * workloads changing under selecting services.
 */
class SnapshotProperties {
    private static final int SERVICES = 8;
    private static final int TABLE = 251;

    @Property(tries = 200)
    void incrementalSnapshotsAnswerLikeFreshOnes(@ForAll("seeds") long seed) {
        Random random = new Random(seed);
        Map<Integer, Service> current = new LinkedHashMap<>();
        List<Workload> workloads = workloads(random);
        Snapshot incremental = new Snapshot(MeshState.EMPTY, 0, TABLE);
        for (int step = 0; step < 12; step++) {
            // Each service: kept as the very same object, replaced by a new variant, removed, or added.
            for (int i = 0; i < SERVICES; i++) {
                int roll = random.nextInt(10);
                if (roll < 5 && current.containsKey(i)) continue;
                if (roll < 7) current.put(i, service(i, random));
                else current.remove(i);
            }
            if (random.nextInt(3) == 0) workloads = workloads(random);
            List<Service> services = new ArrayList<>(current.values());
            if (random.nextInt(4) == 0) Collections.shuffle(services, random);
            MeshState state = new MeshState(
                    List.of(Node.of("n1", "192.168.0.1", "10.1.0.0/16")),
                    workloads,
                    services,
                    List.of(),
                    List.of(),
                    null);

            incremental = Snapshot.after(incremental, state, step + 1);
            Snapshot fresh = new Snapshot(state, step + 1, TABLE);
            assertSameAnswers(incremental, fresh);
            for (Service s : incremental.rederived()) assertThat(services).anyMatch(x -> x == s);
        }
    }

    private static void assertSameAnswers(Snapshot incremental, Snapshot fresh) {
        for (Service s : fresh.state().services()) {
            assertThat(incremental.endpoints(s)).as("endpoints of %s", s.key()).isEqualTo(fresh.endpoints(s));
            List<Endpoint> ready = incremental.readyEndpoints(s);
            assertThat(ready).as("ready endpoints of %s", s.key()).isEqualTo(fresh.readyEndpoints(s));
            if (s.loadBalancing() == LoadBalancing.MAGLEV) {
                for (boolean v6 : new boolean[] {false, true}) {
                    FamilyMaglev a = incremental.maglevTable(s, ready, v6);
                    FamilyMaglev b = fresh.maglevTable(s, fresh.readyEndpoints(s), v6);
                    assertThat(a.backends())
                            .as("Maglev backends of %s", s.key())
                            .isEqualTo(b.backends());
                    assertThat(a.table()).as("Maglev table of %s", s.key()).isEqualTo(b.table());
                }
            }
        }
        // Every address any variant could have: removed and moved VIPs must be gone from the incremental table too.
        for (int i = 0; i < SERVICES; i++) {
            for (int v = 0; v < 3; v++) {
                for (int port : new int[] {80, 81}) {
                    for (Protocol p : Protocol.values()) {
                        assertThat(incremental.serviceByVip(vip(i, v), port, p))
                                .as("%s:%d/%s", vip(i, v), port, p)
                                .isEqualTo(fresh.serviceByVip(vip(i, v), port, p));
                    }
                }
            }
        }
        assertThat(incremental.index().state()).isSameAs(fresh.state());
    }

    private static Service service(int i, Random random) {
        int variant = random.nextInt(3);
        int port = random.nextBoolean() ? 80 : 81;
        Protocol protocol = random.nextInt(4) == 0 ? Protocol.UDP : Protocol.TCP;
        LoadBalancing lb = LoadBalancing.values()[random.nextInt(LoadBalancing.values().length)];
        if (random.nextBoolean()) {
            // Selects its workloads: its endpoints follow the workloads list.
            return new Service(
                    "ns",
                    "svc-" + i,
                    List.of(vip(i, variant)),
                    List.of(new ServicePort("p", port, 8080, protocol)),
                    List.of(),
                    Map.of("app", "svc-" + i),
                    lb,
                    SessionAffinity.NONE,
                    ServiceLayer.L4);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (int e = 0; e < 1 + random.nextInt(4); e++) {
            EndpointState state = EndpointState.values()[random.nextInt(EndpointState.values().length)];
            endpoints.add(new Endpoint("10.2." + i + "." + (e + 1 + random.nextInt(3)), "", state));
        }
        return new Service(
                "ns",
                "svc-" + i,
                List.of(vip(i, variant)),
                List.of(new ServicePort("p", port, 8080, protocol)),
                endpoints.stream().distinct().toList(),
                Map.of(),
                lb,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    private static List<Workload> workloads(Random random) {
        List<Workload> out = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            for (int w = 0; w < random.nextInt(3); w++) {
                out.add(new Workload(
                        "ns",
                        "w-" + i + "-" + w,
                        "n1",
                        List.of("10.1." + i + "." + (w + 1)),
                        "spiffe://cluster.local/ns/ns/sa/w",
                        Map.of("app", "svc-" + i),
                        null));
            }
        }
        return out;
    }

    private static String vip(int service, int variant) {
        return "10.96." + service + "." + (variant + 1);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }
}
