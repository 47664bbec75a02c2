/**
 * nodemesh's eBPF backend: a typed API over libbpf (through FFM) in {@code io.nodemesh.ebpf.bpf}, and the
 * {@code ebpf} dataplane provider that programs the node's kernel from a MeshState.
 */
module io.nodemesh.ebpf {
    requires transitive io.nodemesh.api;
    requires org.slf4j;

    exports io.nodemesh.ebpf;
    exports io.nodemesh.ebpf.bpf;

    provides io.nodemesh.api.spi.DataplaneProvider with io.nodemesh.ebpf.internal.EbpfDataplaneProvider;
}
