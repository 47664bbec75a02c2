module io.nodemesh.examples {
    requires io.nodemesh.api;
    requires io.nodemesh.config;
    requires io.nodemesh.sim;
    requires org.slf4j;
}
