module io.nodemesh.ebpf {
    requires io.nodemesh.api;
    requires org.slf4j;
}
