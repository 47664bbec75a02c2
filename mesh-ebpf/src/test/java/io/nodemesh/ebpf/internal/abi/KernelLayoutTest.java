package io.nodemesh.ebpf.internal.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java encoders must match {@code bpf/nodemesh.h} byte for byte: a C program built with gcc from the header prints
 * sizeof/offsetof of every struct field and the value of every constant, and this test compares them with
 * {@link KernelLayouts}, {@link KernelAbi} and {@link KernelMap}.
 */
class KernelLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void everyStructFieldHasTheOffsetAndSizeTheCompilerGivesIt() throws Exception {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"nodemesh.h\"\n")
                .append(
                        "#define M(s, f) printf(\"%s.%s %zu %zu\\n\", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f));\n")
                .append("int main(void) {\n");
        for (StructLayout s : KernelLayouts.STRUCTS) {
            c.append("printf(\"%s %zu\\n\", \"")
                    .append(s.cName())
                    .append("\", sizeof(struct ")
                    .append(s.cName())
                    .append("));\n");
            for (StructLayout.Field f : s.fields())
                c.append("M(").append(s.cName()).append(", ").append(f.name()).append(")\n");
        }
        c.append("return 0; }\n");
        Map<String, String> out = runC(c.toString());

        List<String> mismatches = new ArrayList<>();
        for (StructLayout s : KernelLayouts.STRUCTS) {
            expect(mismatches, out, s.cName(), Integer.toString(s.size()));
            for (StructLayout.Field f : s.fields()) {
                expect(mismatches, out, s.cName() + "." + f.name(), f.offset() + " " + f.size());
            }
        }
        assertThat(mismatches)
                .as("Java layouts that differ from bpf/nodemesh.h")
                .isEmpty();
    }

    @Test
    void everyConstantHasTheHeadersValue() throws Exception {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include \"nodemesh.h\"\nint main(void) {\n");
        List<Field> constants = new ArrayList<>();
        for (Field f : KernelAbi.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                constants.add(f);
                c.append("printf(\"%s %lld\\n\", \"")
                        .append(f.getName())
                        .append("\", (long long)(NM_")
                        .append(f.getName())
                        .append("));\n");
            }
        }
        c.append("return 0; }\n");
        Map<String, String> out = runC(c.toString());
        assertThat(constants).hasSizeGreaterThan(40);
        List<String> mismatches = new ArrayList<>();
        for (Field f : constants) expect(mismatches, out, f.getName(), Integer.toString(f.getInt(null)));
        assertThat(mismatches)
                .as("KernelAbi constants that differ from bpf/nodemesh.h")
                .isEmpty();
    }

    /** Each planned map in maps.h has the key and value types and the max_entries KernelMap says. */
    @Test
    void plannedMapsMatchTheirDefinitionsInMapsH() throws Exception {
        String maps = Files.readString(BpfSources.dir().resolve("maps.h"));
        Pattern block = Pattern.compile("struct \\{(.*?)\\} (nm_\\w+) SEC\\(\"\\.maps\"\\);", Pattern.DOTALL);
        Map<String, String> bodies = new HashMap<>();
        for (Matcher m = block.matcher(maps); m.find(); ) bodies.put(m.group(2), m.group(1));

        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include \"nodemesh.h\"\nint main(void) {\n");
        for (KernelMap km : KernelMap.values()) {
            String body = bodies.get(km.mapName());
            assertThat(body).as("map %s in maps.h", km.mapName()).isNotNull();
            assertThat(field(body, "__type\\(key, ([^)]+)\\)")).as(km + " key").isEqualTo(cType(km.keyLayout()));
            assertThat(field(body, "__type\\(value, ([^)]+)\\)"))
                    .as(km + " value")
                    .isEqualTo(cType(km.valueLayout()));
            c.append("printf(\"%s %lld\\n\", \"")
                    .append(km.name())
                    .append("\", (long long)(")
                    .append(field(body, "__uint\\(max_entries, ([^)]+)\\)"))
                    .append("));\n");
        }
        c.append("return 0; }\n");
        Map<String, String> out = runC(c.toString());
        for (KernelMap km : KernelMap.values()) {
            assertThat(out.get(km.name())).as(km + " max_entries").isEqualTo(Integer.toString(km.defaultMaxEntries()));
        }
    }

    private static String cType(StructLayout layout) {
        return layout.cName().startsWith("__") ? layout.cName() : "struct " + layout.cName();
    }

    private static String field(String body, String regex) {
        Matcher m = Pattern.compile(regex).matcher(body);
        assertThat(m.find()).as("%s in %s", regex, body).isTrue();
        return m.group(1).trim();
    }

    private static void expect(List<String> mismatches, Map<String, String> out, String name, String expected) {
        String actual = out.get(name);
        if (!expected.equals(actual)) mismatches.add(name + ": C says " + actual + ", Java says " + expected);
    }

    private Map<String, String> runC(String source) throws IOException, InterruptedException {
        Path src = tmp.resolve("layout.c");
        Path exe = tmp.resolve("layout");
        Files.writeString(src, source);
        run(List.of("gcc", "-Wall", "-Werror", "-I" + BpfSources.dir(), "-o", exe.toString(), src.toString()));
        Map<String, String> out = new HashMap<>();
        for (String line : run(List.of(exe.toString())).lines().toList()) {
            int space = line.indexOf(' ');
            out.put(line.substring(0, space), line.substring(space + 1));
        }
        return out;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", command, output).isZero();
        return output;
    }
}
