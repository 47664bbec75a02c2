package io.nodemesh.ebpf.differential;

import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.WorkloadSpec;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.support.SockKeys;
import io.nodemesh.ebpf.testing.EbpfContractHarness;
import io.nodemesh.ebpf.testing.KeyServer;
import io.nodemesh.ebpf.testing.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pods every try of the differential test reuses, made once: {@link #LOCAL} pods on this node ({@code node-1}, the
 * harness's node: servers are threads of this JVM inside the attach cgroup) and {@link #ALL}{@code - LOCAL} pods
 * declared on {@code node-2}, served by processes outside the attach cgroup (another kernel, as far as sockops can
 * tell). Every pod serves TCP and UDP on 8080 and 9090 and answers with its workload key.
 */
final class MeshPods implements AutoCloseable {
    static final int LOCAL = 4;
    static final int ALL = 6;
    static final String NAMESPACE = "t";
    static final String REMOTE_NODE = "node-2";
    static final List<Integer> PORTS = List.of(8080, 9090);

    private final EbpfContractHarness harness;
    private final List<Workload> workloads;
    private final List<AutoCloseable> servers;

    private MeshPods(EbpfContractHarness harness, List<Workload> workloads, List<AutoCloseable> servers) {
        this.harness = harness;
        this.workloads = workloads;
        this.servers = servers;
    }

    /** Call after the privilege gates. Removes whatever it made if it fails half-way. */
    static MeshPods create() {
        Path outside = io.nodemesh.netlab.Cgroups.current(
                RootSupport.CGROUP2); // before the harness moves this JVM into the attach cgroup
        EbpfContractHarness harness = EbpfContractHarness.start();
        List<AutoCloseable> servers = new ArrayList<>();
        try {
            List<Workload> workloads = new ArrayList<>();
            for (int i = 0; i < LOCAL; i++) {
                // no ports: the pod's servers are started here, one KeyServer per port (it survives a refused UDP
                // reply)
                Workload w = harness.startWorkload(new WorkloadSpec(
                        NAMESPACE,
                        "p" + i,
                        EbpfContractHarness.NODE,
                        ScenarioState.IDENTITIES.getFirst(),
                        Map.of(),
                        List.of()));
                for (int port : PORTS)
                    servers.add(harness.pod(w.key()).thread().call(() -> KeyServer.start(port, w.key())));
                workloads.add(w);
            }
            for (int i = LOCAL; i < ALL; i++) {
                String name = "r" + i;
                Pod pod = harness.network().addPod(name);
                String key = NAMESPACE + "/" + name;
                servers.add(RemoteServer.start(pod, outside, key, PORTS));
                workloads.add(new Workload(
                        NAMESPACE,
                        name,
                        REMOTE_NODE,
                        List.of(pod.ipv4(), pod.ipv6()),
                        ScenarioState.IDENTITIES.getFirst(),
                        Map.of(),
                        Placement.NONE));
            }
            return new MeshPods(harness, List.copyOf(workloads), servers);
        } catch (RuntimeException | Error e) {
            closeAll(servers);
            harness.close();
            throw e;
        }
    }

    /** The pods as workloads with placeholder identity and labels ({@link ScenarioState} sets them per try). */
    List<Workload> workloads() {
        return workloads;
    }

    List<Node> nodes() {
        List<Node> nodes = new ArrayList<>(harness.nodes());
        nodes.add(new Node(REMOTE_NODE, List.of("192.0.2.2"), List.of(), ""));
        return nodes;
    }

    EbpfContractHarness harness() {
        return harness;
    }

    EbpfDataplane dataplane() {
        return (EbpfDataplane) harness.dataplane();
    }

    /** The node's address on the pod network: where host processes connect from. */
    String hostIp() {
        return harness.network().gatewayIpv4();
    }

    Pod localPod(int index) {
        return harness.pod(workloads.get(index).key());
    }

    List<SockKeys.SockKey> sockets() {
        return SockKeys.of(dataplane().installation().map("nm_sockhash"));
    }

    @Override
    public void close() {
        try {
            closeAll(servers);
        } finally {
            harness.close();
            RootSupport.cleanUp();
        }
    }

    private static void closeAll(List<AutoCloseable> servers) {
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                // the namespace goes next anyway; keep closing the rest
            }
        }
    }
}
