module io.nodemesh.planner {
    requires io.nodemesh.api;
    requires org.slf4j;
}
