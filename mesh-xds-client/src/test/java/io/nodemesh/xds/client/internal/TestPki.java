package io.nodemesh.xds.client.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real P-256 certificates made with the openssl command: a root, and leaves naming a URI SAN, signed by it. */
final class TestPki {
    private final Path dir;

    TestPki(Path dir) throws Exception {
        this.dir = dir;
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "ca-key.pem",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=nodemesh test root",
                "-days",
                "2");
    }

    Path ca() {
        return dir.resolve("ca.pem");
    }

    /** {@code <name>/cert.pem} and {@code <name>/key.pem} (PKCS#8) for a leaf with URI SAN {@code uri}. */
    Path leaf(String name, String uri) throws Exception {
        Path out = Files.createDirectories(dir.resolve(name));
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=URI:" + uri + "\n");
        openssl(
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                name + "/key.pem",
                "-out",
                name + ".csr",
                "-subj",
                "/CN=" + name);
        openssl(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                name + "/cert.pem",
                "-days",
                "1",
                "-extfile",
                name + ".ext");
        return out;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + output);
    }
}
