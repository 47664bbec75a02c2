package io.nodemesh.ebpf.fake;

import io.nodemesh.ebpf.bpf.MapDefinition;
import io.nodemesh.ebpf.bpf.MapType;
import io.nodemesh.ebpf.bpf.Program;
import io.nodemesh.ebpf.fake.FakeLibbpf.MapDef;
import io.nodemesh.ebpf.fake.FakeLibbpf.ObjectDef;
import io.nodemesh.ebpf.fake.FakeLibbpf.ProgramDef;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import java.util.ArrayList;
import java.util.List;

/** The shape of bpf/service.bpf.o, redirect.bpf.o and steering.bpf.o (programs, maps shared by pin name) for the fake. */
public final class FakeNodemeshObjects {
    private FakeNodemeshObjects() {}

    public static FakeLibbpf define(FakeLibbpf fake) {
        List<MapDef> maps = new ArrayList<>();
        for (KernelMap km : KernelMap.values()) {
            MapType type = km == KernelMap.CONFIG ? MapType.ARRAY : MapType.HASH;
            maps.add(new MapDef(
                    new MapDefinition(km.mapName(), type, km.keySize(), km.valueSize(), km.defaultMaxEntries()), true));
        }
        maps.add(new MapDef(new MapDefinition("nm_sockhash", MapType.SOCKHASH, 40, 8, 65536), true));
        maps.add(new MapDef(new MapDefinition("nm_events", MapType.RINGBUF, 0, 0, 4 << 20), true));
        maps.add(new MapDef(new MapDefinition("nm_lost", MapType.PERCPU_ARRAY, 4, 8, 1), true));
        maps.add(new MapDef(new MapDefinition("nm_proxy_cgroups", MapType.HASH, 8, 4, 16), true));
        maps.add(new MapDef(
                new MapDefinition(
                        "nm_rr", MapType.ARRAY, 4, 4, io.nodemesh.ebpf.internal.abi.KernelAbi.MAX_BACKEND_SETS),
                true));
        List<ProgramDef> service = new ArrayList<>();
        for (String hook : List.of(
                "connect4",
                "connect6",
                "sendmsg4",
                "sendmsg6",
                "recvmsg4",
                "recvmsg6",
                "getpeername4",
                "getpeername6")) {
            service.add(new ProgramDef("nm_" + hook, "cgroup/" + hook, Program.TYPE_CGROUP_SOCK_ADDR));
        }
        fake.define("service", new ObjectDef(service, maps));
        fake.define(
                "redirect",
                new ObjectDef(
                        List.of(
                                new ProgramDef("nm_sockops", "sockops", Program.TYPE_SOCK_OPS),
                                new ProgramDef("nm_msg", "sk_msg", Program.TYPE_SK_MSG)),
                        maps));
        fake.define(
                "steering",
                new ObjectDef(
                        List.of(
                                new ProgramDef("nm_steer_ops", "sockops", Program.TYPE_SOCK_OPS),
                                new ProgramDef("nm_orig_dst_get", "cgroup/getsockopt", Program.TYPE_CGROUP_SOCKOPT)),
                        maps));
        return fake;
    }
}
