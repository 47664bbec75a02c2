package io.nodemesh.ebpf;

import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.CgroupLink;
import io.nodemesh.ebpf.bpf.Program;
import java.util.Map;

/**
 * nodemesh's programs on one node, as {@link EbpfDataplane#installation()} shows them for diagnostics and tests: the
 * objects from the jar loaded with their maps pinned under the pin root, the cgroup programs attached at the cgroup
 * root through pinned links. A view: installing, closing and uninstalling go through {@link EbpfDataplane}.
 */
public interface EbpfInstallation {
    /** True when this installation took over pins of an earlier agent. */
    boolean reattached();

    /** The map named {@code name} in nodemesh's objects; throws a {@link io.nodemesh.ebpf.bpf.BpfException} naming those there are. */
    BpfMap map(String name);

    Map<String, BpfMap> maps();

    /** The program named {@code name} in nodemesh's objects; throws a {@link io.nodemesh.ebpf.bpf.BpfException} naming those there are. */
    Program program(String name);

    Map<String, Program> programs();

    /** The cgroup links by program name. */
    Map<String, CgroupLink> links();

    EbpfSettings settings();
}
