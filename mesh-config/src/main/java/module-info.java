/**
 * Reads and writes a whole {@link io.nodemesh.api.state.MeshState} as one YAML or JSON file, with errors that name the
 * file, the line and column, the path inside the document and the reason.
 */
module io.nodemesh.config {
    requires transitive io.nodemesh.api;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.fasterxml.jackson.datatype.jdk8; // Optional parts of a service's resilience
    requires org.yaml.snakeyaml; // LoaderOptions: the document size limit

    exports io.nodemesh.config;
    // Jackson instantiates the value filters of ResilienceMixins; nothing else sees the package.
    opens io.nodemesh.config.internal to
            com.fasterxml.jackson.databind;
}
