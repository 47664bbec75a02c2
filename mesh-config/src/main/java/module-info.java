module io.nodemesh.config {
    requires io.nodemesh.api;
    requires org.slf4j;
}
