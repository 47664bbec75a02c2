module io.nodemesh.kubernetes {
    requires io.nodemesh.api;
    requires org.slf4j;
}
