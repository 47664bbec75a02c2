package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.agent.NodeDataplaneSettings.Assembly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nodemesh ca init|show|stage|promote|finish} over a real CA directory: a whole rotation, the roots printed
 * with fingerprints and expiry at each step, and the operator's mistakes as one line each. Also {@code agent --ca-dir}.
 */
class CaCommandTest {
    @TempDir
    Path tmp;

    record Output(int exit, String out, String err) {}

    static Output ca(String... args) {
        CaCommand command = new CaCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(command);
        cl.setErr(new java.io.PrintWriter(command.err, true));
        int exit = cl.execute(args);
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String fingerprintOf(String out, String role) {
        return out.lines()
                .filter(l -> l.strip().startsWith(role))
                .map(l -> l.replaceAll(".*sha256 (\\S+).*", "$1"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + role + " line in:\n" + out));
    }

    @Test
    void initOnceThenAWholeRotationStepByStep() throws Exception {
        Path dir = tmp.resolve("ca");
        Output init = ca("init", "--ca-dir", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).contains("generated a mesh root in " + dir).contains("not after ");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))))
                .isEqualTo("rw-------");
        String first = fingerprintOf(init.out(), "signing");
        assertThat(first).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");

        Output again = ca("init", "--ca-dir", dir.toString());
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("exists already");
        assertThat(fingerprintOf(again.out(), "signing")).isEqualTo(first);

        Output stage = ca("stage", "--ca-dir", dir.toString());
        assertThat(stage.exit()).as(stage.err()).isZero();
        assertThat(fingerprintOf(stage.out(), "signing")).isEqualTo(first);
        String next = fingerprintOf(stage.out(), "trusted");
        assertThat(next).isNotEqualTo(first);
        Output twice = ca("stage", "--ca-dir", dir.toString());
        assertThat(twice.exit()).isEqualTo(1);
        assertThat(twice.err()).contains("staged already").hasLineCount(1);

        Output finishEarly = ca("finish", "--ca-dir", dir.toString());
        assertThat(finishEarly.exit()).isEqualTo(1);
        assertThat(finishEarly.err()).contains("not promoted").hasLineCount(1);

        Output promote = ca("promote", "--ca-dir", dir.toString());
        assertThat(promote.exit()).as(promote.err()).isZero();
        assertThat(fingerprintOf(promote.out(), "signing")).isEqualTo(next);
        assertThat(fingerprintOf(promote.out(), "trusted")).isEqualTo(first);

        Output finish = ca("finish", "--ca-dir", dir.toString());
        assertThat(finish.exit()).as(finish.err()).isZero();
        assertThat(fingerprintOf(finish.out(), "signing")).isEqualTo(next);
        assertThat(finish.out()).doesNotContain("trusted  ");
        assertThat(dir.resolve("trusted.pem")).doesNotExist();

        Output show = ca("show", "--ca-dir", dir.toString());
        assertThat(show.exit()).isZero();
        assertThat(fingerprintOf(show.out(), "signing")).isEqualTo(next);
    }

    @Test
    void operatorMistakesAreOneLineNamingTheFile() throws Exception {
        Path missing = tmp.resolve("nowhere");
        for (String step : new String[] {"show", "stage", "promote", "finish"}) {
            Output o = ca(step, "--ca-dir", missing.toString());
            assertThat(o.exit()).as(step).isEqualTo(1);
            assertThat(o.err())
                    .as(step)
                    .isEqualTo("no CA directory " + missing + " (create one with: nodemesh ca init --ca-dir " + missing
                            + ")\n");
        }

        Path dir = tmp.resolve("ca");
        assertThat(ca("init", "--ca-dir", dir.toString()).exit()).isZero();
        Path key = dir.resolve("ca-key.pem");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Output open = ca("show", "--ca-dir", dir.toString());
        assertThat(open.exit()).isEqualTo(1);
        assertThat(open.err())
                .contains(key + " has mode rw-r--r--")
                .contains("chmod 600")
                .hasLineCount(1);

        Output nothingStaged = ca("promote", "--ca-dir", dir.toString());
        assertThat(nothingStaged.err()).contains(key.toString()).hasLineCount(1); // the mode is checked first

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Output noStage = ca("promote", "--ca-dir", dir.toString());
        assertThat(noStage.exit()).isEqualTo(1);
        assertThat(noStage.err()).contains("no staged root in " + dir).hasLineCount(1);
        Output noOverlap = ca("finish", "--ca-dir", dir.toString());
        assertThat(noOverlap.err()).contains("no overlap to finish").hasLineCount(1);

        Files.delete(key);
        Output half = ca("init", "--ca-dir", dir.toString());
        assertThat(half.exit()).isEqualTo(1);
        assertThat(half.err()).contains(key + " is missing but").hasLineCount(1);
        assertThat(half.err()).doesNotContain("Exception");
    }

    @Test
    void agentCaDirIsShorthandForTheEnvoyOption() {
        AgentCommand agent = new AgentCommand();
        new CommandLine(agent).parseArgs("--backend", "envoy", "--ca-dir", "/etc/nodemesh/ca");
        Assembly ready = agent.dataplaneSettings("node-a");
        assertThat(ready).isInstanceOf(Assembly.Ready.class);
        assertThat(((Assembly.Ready) ready).options().properties()).containsEntry("envoy.caDir", "/etc/nodemesh/ca");

        AgentCommand both = new AgentCommand();
        new CommandLine(both).parseArgs("--backend", "envoy", "--ca-dir", "/a", "--option", "envoy.caDir=/b");
        assertThat(both.dataplaneSettings("node-a")).isInstanceOf(Assembly.Refused.class);
    }
}
