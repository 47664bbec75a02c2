module io.nodemesh.sim {
    requires io.nodemesh.api;
    requires org.slf4j;
}
