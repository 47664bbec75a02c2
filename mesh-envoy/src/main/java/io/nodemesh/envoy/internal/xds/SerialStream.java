package io.nodemesh.envoy.internal.xds;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.function.ToIntFunction;

/**
 * What both xDS streams (state of the world and delta) share: every event of the call runs on the stream's serial
 * executor, so a stream's state needs no lock; responses go out through a {@link PacedSender}; the stream closes once,
 * on the client's error, its end, or the server's failure of the call.
 *
 * @param <Q> the requests the client sends
 * @param <R> the responses the server sends
 */
abstract class SerialStream<Q, R> implements StreamObserver<Q> {
    final ServerCallStreamObserver<R> out;
    final Executor serial;
    final PacedSender<R> sender;
    boolean closed;

    SerialStream(
            ServerCallStreamObserver<R> out,
            Executor serial,
            SendBudget budget,
            int largeResponse,
            ToIntFunction<R> resources) {
        this.out = out;
        this.serial = serial;
        this.sender = new PacedSender<>(out, serial, budget, largeResponse, resources);
    }

    /** One request of the open stream, on the serial executor. */
    abstract void handle(Q request);

    /** The stream has closed: its owner forgets it. Runs once. */
    abstract void released();

    @Override
    public final void onNext(Q request) {
        serial.execute(() -> {
            if (!closed) handle(request);
        });
    }

    @Override
    public final void onError(Throwable t) {
        serial.execute(this::close);
    }

    @Override
    public final void onCompleted() {
        serial.execute(() -> {
            close();
            out.onCompleted();
        });
    }

    /** Ends the call with INVALID_ARGUMENT and {@code why}, and closes. */
    final void fail(String why) {
        out.onError(Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException());
        close();
    }

    final void close() {
        if (closed) return;
        closed = true;
        sender.close();
        released();
    }
}
