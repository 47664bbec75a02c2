/** nodemesh's command line and runnable examples. */
module io.nodemesh.examples {
    requires io.nodemesh.api;
    requires io.nodemesh.config;
    requires io.nodemesh.sim;
    requires info.picocli;
    requires org.slf4j;

    opens io.nodemesh.examples.cli to info.picocli;
}
