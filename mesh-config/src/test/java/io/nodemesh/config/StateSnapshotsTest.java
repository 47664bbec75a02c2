package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateSnapshotsTest {
    @TempDir
    Path dir;

    private Path file() throws Exception {
        Path f = dir.resolve("mesh.yaml");
        Files.writeString(f, MeshStateFilesTest.GOOD);
        return f;
    }

    @Test
    void aSecondReadOfTheSameBytesComesFromTheSnapshotAndEqualsTheParse() throws Exception {
        Path f = file();
        StateSnapshots snapshots = StateSnapshots.in(dir.resolve("cache"));
        MeshState parsed = MeshStateFiles.readValid(f);

        assertThat(snapshots.check(f)).isEqualTo(new CheckedState.Valid(parsed));
        assertThat(snapshots.hits()).isZero();
        assertThat(Files.list(dir.resolve("cache"))).hasSize(1);

        assertThat(StateSnapshots.in(dir.resolve("cache")).check(f)).isEqualTo(new CheckedState.Valid(parsed));
        StateSnapshots again = StateSnapshots.in(dir.resolve("cache"));
        again.check(f);
        assertThat(again.hits()).isEqualTo(1);
        assertThat(again.misses()).isZero();
    }

    @Test
    void changedBytesMissAndReplaceTheEntry() throws Exception {
        Path f = file();
        StateSnapshots snapshots = StateSnapshots.in(dir.resolve("cache"));
        snapshots.check(f);
        Files.writeString(f, MeshStateFilesTest.GOOD.replace("192.168.0.1", "192.168.0.9"));

        CheckedState changed = snapshots.check(f);

        assertThat(snapshots.misses()).isEqualTo(2);
        assertThat(changed).isEqualTo(new CheckedState.Valid(MeshStateFiles.readValid(f)));
        assertThat(Files.list(dir.resolve("cache"))).hasSize(1);
        snapshots.check(f);
        assertThat(snapshots.hits()).isEqualTo(1);
    }

    @Test
    void aDamagedEntryIsAMissAndIsRewritten() throws Exception {
        Path f = file();
        StateSnapshots snapshots = StateSnapshots.in(dir.resolve("cache"));
        snapshots.check(f);
        Path entry = snapshots.entryOf(f);
        String text = Files.readString(entry);
        Files.writeString(entry, text.substring(0, text.length() / 2)); // a torn write

        assertThat(snapshots.check(f)).isEqualTo(new CheckedState.Valid(MeshStateFiles.readValid(f)));
        assertThat(snapshots.hits()).isZero();
        assertThat(Files.readString(entry)).isEqualTo(text);
    }

    @Test
    void anInvalidFileIsReportedWithItsLinesAndNeverKept() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, MeshStateFilesTest.GOOD.replace("podCidrs: [10.1.0.0/24]", "podCidrs: [10.1.0.0/33]"));
        StateSnapshots snapshots = StateSnapshots.in(dir.resolve("cache"));

        CheckedState checked = snapshots.check(f);

        assertThat(checked).isEqualTo(MeshStateFiles.check(f));
        assertThat(checked.isValid()).isFalse();
        assertThat(dir.resolve("cache")).doesNotExist();
    }

    @Test
    void aDirectoryThatCannotBeWrittenOnlyCostsTheSpeedUp() throws Exception {
        Path f = file();
        Path notADir = dir.resolve("plain-file");
        Files.writeString(notADir, "x");
        StateSnapshots snapshots = StateSnapshots.in(notADir);

        assertThat(snapshots.check(f)).isEqualTo(new CheckedState.Valid(MeshStateFiles.readValid(f)));
        assertThat(snapshots.check(f).isValid()).isTrue();
        assertThat(snapshots.hits()).isZero();
    }
}
