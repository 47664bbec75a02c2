module io.nodemesh.envoy {
    requires io.nodemesh.api;
    requires org.slf4j;
}
