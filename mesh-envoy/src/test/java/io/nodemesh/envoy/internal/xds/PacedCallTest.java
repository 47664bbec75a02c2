package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pacing of state-of-the-world responses, over a transport stand-in whose readiness the test sets (the real
 * transport is exercised by {@code SotwSendBudgetTest} and the benchmark). A message's "resources" are its length;
 * 3 or more is large. Grants run on the releasing thread, so each step's effect is visible at once.
 */
class PacedCallTest {
    private static final int LARGE = 3;

    /** Records what reaches the transport; {@code ready} is what gRPC's flow control would say. */
    private static final class Transport extends ServerCall<String, String> {
        final List<String> sent = new ArrayList<>();
        boolean ready = true;
        boolean closed;

        @Override
        public void request(int numMessages) {}

        @Override
        public void sendHeaders(Metadata headers) {}

        @Override
        public void sendMessage(String message) {
            sent.add(message);
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed = true;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            throw new UnsupportedOperationException();
        }
    }

    private final SendBudget budget = new SendBudget(1);

    private record Paced(Transport transport, PacedCall<String, String> call, ServerCall.Listener<String> listener) {}

    private Paced paced() {
        Transport t = new Transport();
        PacedCall<String, String> call = PacedCall.over(t, budget, Runnable::run, String::length, LARGE);
        return new Paced(t, call, call.listening(new ServerCall.Listener<>() {}));
    }

    @Test
    void aLargeResponseWaitsUntilTheOneHoldingThePermitHasDrained() {
        Paced a = paced(), b = paced();
        a.transport.ready = false; // a's client reads slowly
        a.call.sendMessage("aaaa");
        b.call.sendMessage("bbbb");
        assertThat(a.transport.sent).containsExactly("aaaa");
        assertThat(b.transport.sent).as("waits for a's permit").isEmpty();

        a.transport.ready = true;
        a.listener.onReady();
        assertThat(b.transport.sent).containsExactly("bbbb");
    }

    @Test
    void smallResponsesPassAtOnceButKeepTheirOrderBehindAWaitingLargeOne() {
        Paced a = paced(), b = paced();
        a.transport.ready = false;
        a.call.sendMessage("aaaa");
        b.call.sendMessage("x");
        b.call.sendMessage("bbbb");
        b.call.sendMessage("y");
        assertThat(b.transport.sent).containsExactly("x");

        a.transport.ready = true;
        a.listener.onReady();
        assertThat(b.transport.sent).containsExactly("x", "bbbb", "y");
    }

    @Test
    void aStreamThatEndsGivesItsPermitBackAndDropsWhatIsQueued() {
        Paced a = paced(), b = paced(), c = paced();
        a.transport.ready = false;
        a.call.sendMessage("aaaa");
        a.call.sendMessage("a2a2");
        b.transport.ready = false;
        b.call.sendMessage("bbbb");
        c.call.sendMessage("cccc");

        a.listener.onCancel(); // the client went away while holding the permit
        assertThat(b.transport.sent).containsExactly("bbbb");
        assertThat(c.transport.sent).as("behind b in the queue for the permit").isEmpty();

        b.call.close(Status.OK, new Metadata()); // the server ends b's stream while it drains
        assertThat(b.transport.closed).isTrue();
        assertThat(c.transport.sent).containsExactly("cccc");
        assertThat(a.transport.sent).as("a's queued response was dropped").containsExactly("aaaa");
    }

    @Test
    void aWaitingStreamThatEndsDoesNotTakeAPermit() {
        Paced a = paced(), b = paced(), c = paced();
        a.transport.ready = false;
        a.call.sendMessage("aaaa");
        b.call.sendMessage("bbbb");
        c.call.sendMessage("cccc");
        b.listener.onCancel();

        a.transport.ready = true;
        a.listener.onReady();
        assertThat(b.transport.sent).isEmpty();
        assertThat(c.transport.sent).containsExactly("cccc");
    }
}
