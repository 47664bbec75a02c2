package io.nodemesh.ebpf.bpf;

import java.nio.file.Path;

/** Options to attach a cgroup program (sockops, cgroup/connect4, ...): the cgroup-v2 directory to attach at. */
public record CgroupAttach(Path cgroup) {
    public CgroupAttach {
        if (cgroup == null) throw new IllegalArgumentException("cgroup must be given");
    }
}
