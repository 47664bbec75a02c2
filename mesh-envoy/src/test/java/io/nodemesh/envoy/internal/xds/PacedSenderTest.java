package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pacing of both protocols' responses ({@link PacedSender}), over a stream stand-in whose readiness the test sets
 * (the real transport is exercised by {@code SotwSendBudgetTest}, {@code DeltaSendBudgetTest} and the benchmark). A
 * message's "resources" are its length; 3 or more is large. Grants and the serial executor run on the calling thread,
 * so each step's effect is visible at once.
 */
class PacedSenderTest {
    private static final int LARGE = 3;

    /** Records what reaches the transport; {@code ready} is what gRPC's flow control would say. */
    private static final class Transport extends ServerCallStreamObserver<String> {
        final List<String> sent = new ArrayList<>();
        boolean ready = true;
        Runnable onReady = () -> {};

        @Override
        public void onNext(String message) {
            sent.add(message);
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        /** The transport drained: ready again, and gRPC says so. */
        void drained() {
            ready = true;
            onReady.run();
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {}

        @Override
        public void setCompression(String compression) {}

        @Override
        public void disableAutoInboundFlowControl() {}

        @Override
        public void request(int count) {}

        @Override
        public void setMessageCompression(boolean enable) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }

    private final SendBudget budget = new SendBudget(1);

    private record Paced(Transport transport, PacedSender<String> sender) {}

    private Paced paced() {
        Transport t = new Transport();
        return new Paced(t, new PacedSender<>(t, Runnable::run, budget, LARGE, String::length));
    }

    @Test
    void aLargeResponseWaitsUntilTheOneHoldingThePermitHasDrained() {
        Paced a = paced(), b = paced();
        a.transport.ready = false; // a's client reads slowly
        a.sender.send("aaaa");
        b.sender.send("bbbb");
        assertThat(a.transport.sent).containsExactly("aaaa");
        assertThat(b.transport.sent).as("waits for a's permit").isEmpty();

        a.transport.drained();
        assertThat(b.transport.sent).containsExactly("bbbb");
    }

    @Test
    void smallResponsesPassAtOnceButKeepTheirOrderBehindAWaitingLargeOne() {
        Paced a = paced(), b = paced();
        a.transport.ready = false;
        a.sender.send("aaaa");
        b.sender.send("x");
        b.sender.send("bbbb");
        b.sender.send("y");
        assertThat(b.transport.sent).containsExactly("x");

        a.transport.drained();
        assertThat(b.transport.sent).containsExactly("x", "bbbb", "y");
    }

    @Test
    void aStreamThatEndsGivesItsPermitBackAndDropsWhatIsQueued() {
        Paced a = paced(), b = paced(), c = paced();
        a.transport.ready = false;
        a.sender.send("aaaa");
        a.sender.send("a2a2");
        b.transport.ready = false;
        b.sender.send("bbbb");
        c.sender.send("cccc");

        a.sender.close(); // the client went away while holding the permit
        assertThat(b.transport.sent).containsExactly("bbbb");
        assertThat(c.transport.sent).as("behind b in the queue for the permit").isEmpty();

        b.sender.close(); // b's stream ends while it drains
        assertThat(c.transport.sent).containsExactly("cccc");
        assertThat(a.transport.sent).as("a's queued response was dropped").containsExactly("aaaa");
    }

    @Test
    void aWaitingStreamThatEndsDoesNotTakeAPermit() {
        Paced a = paced(), b = paced(), c = paced();
        a.transport.ready = false;
        a.sender.send("aaaa");
        b.sender.send("bbbb");
        c.sender.send("cccc");
        b.sender.close();

        a.transport.drained();
        assertThat(b.transport.sent).isEmpty();
        assertThat(c.transport.sent).containsExactly("cccc");
    }
}
