package io.nodemesh.examples.lab;

import io.nodemesh.netlab.Commands;

/**
 * Puts the lab's wireguard-go processes on CPU 0 beside the pods (which start there): on these VMs a wake-up across
 * vCPUs costs ~40 µs and would swamp every path measured (DESIGN.md, "pin latency benchmarks to one CPU").
 */
final class CpuPinning {
    private CpuPinning() {}

    static void wireguardGo(Lab lab) {
        for (LabNode n : lab.nodes()) {
            ProcessHandle.allProcesses()
                    .filter(p -> p.info()
                            .commandLine()
                            .orElse("")
                            .matches(".*wireguard-go.* " + n.wgInterface() + "( .*)?$"))
                    .forEach(p -> Commands.check("taskset", "-a", "-p", "-c", "0", Long.toString(p.pid())));
        }
    }
}
