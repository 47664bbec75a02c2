/**
 * The nodemesh API: the declarative {@link io.nodemesh.api.state.MeshState}, the {@link io.nodemesh.api.MeshDataplane}
 * that programs it, and the provider SPI that backends implement.
 */
module io.nodemesh.api {
    requires org.slf4j;

    exports io.nodemesh.api;
    exports io.nodemesh.api.state;
    exports io.nodemesh.api.spi;
    exports io.nodemesh.api.lb;

    uses io.nodemesh.api.spi.DataplaneProvider;
}
