package io.nodemesh.envoy;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny gRPC service without generated code: {@code Who} answers with the backend's name; {@code Hold} answers only
 * once released (for drain and deadline tests); {@code Flaky} fails every other call with UNAVAILABLE (for retries).
 */
final class Echo {
    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> WHO = method("Who");
    static final MethodDescriptor<String, String> HOLD = method("Hold");
    static final MethodDescriptor<String, String> FLAKY = method("Flaky");

    private static MethodDescriptor<String, String> method(String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("nodemesh.test.Echo/" + name)
                .setRequestMarshaller(STRING)
                .setResponseMarshaller(STRING)
                .build();
    }

    /** One backend: its name, counters of calls, and a latch that releases held calls. */
    static final class Backend implements AutoCloseable {
        final String name;
        final Server server;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger flakyCalls = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final ConcurrentHashMap<String, Boolean> held = new ConcurrentHashMap<>();

        Backend(String name, String ip, int port) {
            this(name, NettyServerBuilder.forAddress(new InetSocketAddress(ip, port)));
        }

        Backend(String name, ServerBuilder<?> builder) {
            this.name = name;
            try {
                this.server = builder.addService(definition()).build().start();
            } catch (IOException e) {
                throw new UncheckedIOException("backend " + name + " cannot start", e);
            }
        }

        int port() {
            return server.getPort();
        }

        private ServerServiceDefinition definition() {
            return ServerServiceDefinition.builder("nodemesh.test.Echo")
                    .addMethod(WHO, ServerCalls.asyncUnaryCall((req, out) -> {
                        calls.incrementAndGet();
                        out.onNext(name);
                        out.onCompleted();
                    }))
                    .addMethod(HOLD, ServerCalls.asyncUnaryCall((req, out) -> {
                        held.put(req, true);
                        Thread.ofVirtual().start(() -> {
                            try {
                                release.await();
                                out.onNext(name);
                                out.onCompleted();
                            } catch (InterruptedException e) {
                                out.onError(Status.CANCELLED.asRuntimeException());
                            } catch (RuntimeException e) {
                                // the call was cancelled meanwhile (deadline): nothing to answer
                            }
                        });
                    }))
                    .addMethod(FLAKY, ServerCalls.asyncUnaryCall((req, out) -> {
                        if (flakyCalls.incrementAndGet() % 2 == 1) {
                            out.onError(Status.UNAVAILABLE
                                    .withDescription("flaky " + name)
                                    .asRuntimeException());
                        } else {
                            out.onNext(name);
                            out.onCompleted();
                        }
                    }))
                    .build();
        }

        @Override
        public void close() {
            release.countDown();
            server.shutdownNow();
        }
    }

    static String call(ManagedChannel ch, MethodDescriptor<String, String> method, String request) {
        return ClientCalls.blockingUnaryCall(
                ch,
                method,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS),
                request);
    }

    private Echo() {}
}
