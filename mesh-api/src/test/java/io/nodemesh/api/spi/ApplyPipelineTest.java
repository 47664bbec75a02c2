package io.nodemesh.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one apply: validation first, the backend's check, programming with undo, commit; a no-op when nothing changed. */
class ApplyPipelineTest {
    /** Records what the pipeline asks of it; fails or rejects on demand. */
    static final class RecordingProgrammer implements Programmer {
        final List<String> log = new ArrayList<>();
        final List<String> dataplane = new ArrayList<>();
        boolean failAfterOneStep;
        boolean reject;
        boolean dirty;

        @Override
        public List<Violation> check(StateChange change) {
            log.add("check " + change.generation());
            return reject ? List.of(new Violation("services", "too many for this backend")) : List.of();
        }

        @Override
        public void program(StateChange change, UndoLog undo) {
            log.add("program " + change.changes().size());
            dataplane.add("gen" + change.generation());
            undo.onFailure("entry gen" + change.generation(), () -> dataplane.removeLast());
            if (failAfterOneStep) throw new IllegalStateException("map full");
        }

        @Override
        public void committed(StateChange change) {
            log.add("committed " + change.generation());
            dirty = false;
        }

        @Override
        public boolean needsProgramming() {
            return dirty;
        }
    }

    private static MeshState state(String vip) {
        return MeshState.builder()
                .node(Node.of("n1", "192.168.0.1", "10.1.0.0/24"))
                .service(Service.builder("shop", "web").vip(vip).tcp(80, 8080).build())
                .build();
    }

    @Test
    void programsChangesAndSkipsAnUnchangedState() {
        var programmer = new RecordingProgrammer();
        var pipeline = new ApplyPipeline("test", programmer);
        ApplyResult first = pipeline.apply(state("10.96.0.1"));
        assertThat(first.generation()).isEqualTo(1);
        assertThat(pipeline.apply(state("10.96.0.1"))).isEqualTo(new ApplyResult(1, List.of()));
        assertThat(pipeline.apply(state("10.96.0.2")).generation()).isEqualTo(2);
        assertThat(programmer.log)
                .containsExactly("check 1", "program 2", "committed 1", "check 2", "program 1", "committed 2");
        assertThat(pipeline.state()).isEqualTo(state("10.96.0.2"));
        assertThat(pipeline.index().service("shop/web")).isPresent();
    }

    @Test
    void anInputOutsideTheStateMakesAnUnchangedStateProgramAgainWithoutANewGeneration() {
        var programmer = new RecordingProgrammer();
        var pipeline = new ApplyPipeline("test", programmer);
        pipeline.apply(state("10.96.0.1"));
        programmer.dirty = true; // e.g. a secret file changed
        assertThat(pipeline.apply(state("10.96.0.1"))).isEqualTo(new ApplyResult(1, List.of()));
        assertThat(programmer.log).endsWith("program 0", "committed 1");
    }

    @Test
    void anInvalidStateOrABackendRejectionTouchesNothing() {
        var programmer = new RecordingProgrammer();
        var pipeline = new ApplyPipeline("test", programmer);
        pipeline.apply(state("10.96.0.1"));
        assertThatThrownBy(() -> pipeline.apply(state("not-an-ip")))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("services[shop/web].vips[0]");
        programmer.reject = true;
        assertThatThrownBy(() -> pipeline.apply(state("10.96.0.2")))
                .isInstanceOf(InvalidStateException.class)
                .hasMessageContaining("too many for this backend");
        assertThat(programmer.dataplane).containsExactly("gen1");
        assertThat(pipeline.state()).isEqualTo(state("10.96.0.1"));
        assertThat(pipeline.generation()).isEqualTo(1);
    }

    @Test
    void aFailureWhileProgrammingIsUndoneAndThePreviousStateKeepsServing() {
        var programmer = new RecordingProgrammer();
        var pipeline = new ApplyPipeline("test", programmer);
        pipeline.apply(state("10.96.0.1"));
        programmer.failAfterOneStep = true;
        assertThatThrownBy(() -> pipeline.apply(state("10.96.0.2")))
                .isInstanceOf(ApplyException.class)
                .hasMessage("test: programming failed: map full (rolled back; the previous state keeps serving)");
        assertThat(programmer.dataplane).containsExactly("gen1");
        assertThat(pipeline.state()).isEqualTo(state("10.96.0.1"));
        assertThat(programmer.log).doesNotContain("committed 2");
    }
}
