/**
 * nodemesh's eBPF backend: a typed API over libbpf (through FFM) in {@code io.nodemesh.ebpf.bpf}, and the
 * {@code ebpf} dataplane provider that programs the node's kernel from a MeshState.
 * <p>
 * It calls libbpf and libc through FFM, and enters network namespaces through mesh-netlab's {@code Setns}: run with
 * {@code --enable-native-access=io.nodemesh.ebpf,io.nodemesh.netlab} (or {@code ALL-UNNAMED} on the class path).
 */
module io.nodemesh.ebpf {
    requires transitive io.nodemesh.api;
    requires io.nodemesh.netlab;
    requires org.slf4j;

    exports io.nodemesh.ebpf;
    exports io.nodemesh.ebpf.bpf;

    provides io.nodemesh.api.spi.DataplaneProvider with
            io.nodemesh.ebpf.internal.EbpfDataplaneProvider;
}
