package io.nodemesh.ebpf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A bench-only eBPF program that makes the kernel write flow events as fast as the benchmark asks: on each
 * {@code getsockopt(SOL_SOCKET, SO_RCVBUF)} by a process in the cgroup it is attached at, it emits
 * {@code nmb_burst[0]} copies of the {@code struct nm_event} in {@code nmb_template[0]} through nodemesh's own
 * {@code nm_emit} (the same {@code bpf_ringbuf_output} into the pinned {@code nm_events}, the same {@code nm_lost}
 * counting) — real kernel records in the real ring buffer, at a rate that connects alone cannot reach on two vCPUs.
 * <p>
 * Compiled at run time with clang against {@code bpf/} (so it shares nodemesh.h, maps.h and common.h), loaded with the
 * dataplane's pin root so every nodemesh map is the dataplane's own.
 */
final class FlowBurstProgram {
    static final String PROGRAM = "nmb_burst_getsockopt";

    private static final String SOURCE = """
            // SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
            // Flow-event load generator for FlowDecodeBenchmark; never part of the dataplane.
            #include "common.h"

            #define NMB_SOL_SOCKET 1
            #define NMB_SO_RCVBUF 8

            struct {
                __uint(type, BPF_MAP_TYPE_ARRAY);
                __uint(max_entries, 1);
                __type(key, __u32);
                __type(value, struct nm_event);
            } nmb_template SEC(".maps");

            struct {
                __uint(type, BPF_MAP_TYPE_ARRAY);
                __uint(max_entries, 1);
                __type(key, __u32);
                __type(value, __u32);
            } nmb_burst SEC(".maps");

            static long nmb_one(__u32 i, void *unused)
            {
                __u32 zero = 0;
                struct nm_event *t = bpf_map_lookup_elem(&nmb_template, &zero);
                if (!t)
                    return 1;
                struct nm_event ev = *t;
                ev.cookie = i;
                nm_emit(&ev);
                return 0;
            }

            SEC("cgroup/getsockopt")
            int nmb_burst_getsockopt(struct bpf_sockopt *ctx)
            {
                if (ctx->level != NMB_SOL_SOCKET || ctx->optname != NMB_SO_RCVBUF)
                    return 1;
                __u32 zero = 0;
                __u32 *n = bpf_map_lookup_elem(&nmb_burst, &zero);
                if (n && *n)
                    bpf_loop(*n, nmb_one, NULL, 0);
                return 1;
            }

            char LICENSE[] SEC("license") = "Dual BSD/GPL";
            """;

    private FlowBurstProgram() {}

    /** Compiles the program into {@code dir} with clang and returns the object file. */
    static Path compile(Path bpfSources, Path dir) {
        try {
            Path c = dir.resolve("flow-burst.bpf.c");
            Path o = dir.resolve("flow-burst.bpf.o");
            Files.writeString(c, SOURCE);
            String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
            Process p = new ProcessBuilder(List.of(
                            "clang",
                            "-O2",
                            "-g",
                            "-Wall",
                            "-target",
                            "bpf",
                            "-mcpu=v3",
                            "-I/usr/include/" + arch + "-linux-gnu",
                            "-I" + bpfSources.toAbsolutePath(),
                            "-c",
                            c.toString(),
                            "-o",
                            o.toString()))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("clang could not compile the flow burst program:\n" + out);
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
