package io.nodemesh.config;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests run on the class path, where nothing is encapsulated. This one loads mesh-config, mesh-api and Jackson as named
 * modules in a layer of their own, so Jackson must bind the api records through what io.nodemesh.api exports, exactly
 * as for an application on the module path.
 */
class ModulePathTest {
    private static final List<String> MODULE_JARS = List.of("mesh-api", "jackson-databind", "jackson-core", "jackson-annotations",
            "jackson-dataformat-yaml", "snakeyaml", "slf4j-api");

    @Test
    void readsAndWritesStatesAsNamedModules() throws Exception {
        Path[] entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(p -> isModuleClasses(p) || MODULE_JARS.stream().anyMatch(j -> p.getFileName().toString().startsWith(j + "-")))
                .toArray(Path[]::new);
        assertThat(entries).as("module path from %s", System.getProperty("java.class.path")).hasSize(MODULE_JARS.size() + 1);
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(entries), ModuleFinder.of(), Set.of("io.nodemesh.config"));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module config = layer.findModule("io.nodemesh.config").orElseThrow();
        assertThat(config.isNamed()).isTrue();
        assertThat(config.getDescriptor().exports()).extracting(e -> e.source()).containsExactly("io.nodemesh.config");

        Class<?> files = layer.findLoader("io.nodemesh.config").loadClass("io.nodemesh.config.MeshStateFiles");
        Class<?> format = layer.findLoader("io.nodemesh.config").loadClass("io.nodemesh.config.StateFormat");
        assertThat(files.getModule()).isSameAs(config);
        Object yaml = format.getField("YAML").get(null);
        Object state = files.getMethod("parse", String.class, String.class, format).invoke(null, "m.yaml", MeshStateFilesTest.GOOD, yaml);
        assertThat(state.getClass().getModule().getName()).isEqualTo("io.nodemesh.api");
        String written = (String) files.getMethod("write", state.getClass(), format).invoke(null, state, yaml);
        assertThat(written).contains("loadBalancing: round_robin", "timeout: 30s");
        assertThat(files.getMethod("parse", String.class, String.class, format).invoke(null, "again.yaml", written, yaml)).isEqualTo(state);
    }

    /** This module's and mesh-api's compiled classes; other modules' (a reactor build puts them on the path) stay out. */
    private static boolean isModuleClasses(Path p) {
        return p.endsWith(Path.of("target", "classes"))
                && List.of("mesh-config", "mesh-api").contains(p.getParent().getParent().getFileName().toString());
    }
}
