package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Writes xDS responses, encoding a block of resources once for every client it goes to.
 * <p>
 * A first configuration sends the same 10,000 clusters and 10,000 load assignments (the same packed {@code Any}
 * objects, {@link CompleteAnswers}) to every client of the mesh; encoding them per client walked 20,000 messages 100
 * times. The encoded block of a response's resources is kept with the objects it was made from, and a response
 * carrying those very objects is written as its own few fields (version, type, nonce) followed by the block — a
 * copy. Fields may come in any order on the wire, and parsers merge them, so the result is an ordinary response.
 * <p>
 * State of the world carries the packed resources themselves ({@link #sotw()}); delta wraps each in a {@code Resource}
 * made per client, recognized by its name, version and packed resource being the same objects ({@link #delta()}).
 */
final class SharedBodyMarshaller<T extends Message, E extends Message> implements MethodDescriptor.Marshaller<T> {
    /** Below this many resources, encoding is as cheap as finding a block. */
    private static final int MIN_SHARED = 64;
    /** How many blocks to keep (a few resource types at the current and the previous version); each is a full config's part. */
    private static final int REMEMBERED = 4;
    /** {@code resources} is field 2 of both response messages. */
    private static final int RESOURCES_FIELD = 2;

    private static final int RESOURCES_TAG = RESOURCES_FIELD << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private final Deque<Block<E>> blocks = new ArrayDeque<>();
    private final Parser<T> parser;
    private final Function<T, List<E>> resources;
    private final UnaryOperator<T> withoutResources;
    private final BiPredicate<E, E> same;

    private SharedBodyMarshaller(
            Parser<T> parser,
            Function<T, List<E>> resources,
            UnaryOperator<T> withoutResources,
            BiPredicate<E, E> same) {
        this.parser = parser;
        this.resources = resources;
        this.withoutResources = withoutResources;
        this.same = same;
    }

    static SharedBodyMarshaller<DiscoveryResponse, Any> sotw() {
        return new SharedBodyMarshaller<>(
                DiscoveryResponse.parser(),
                DiscoveryResponse::getResourcesList,
                r -> r.toBuilder().clearResources().build(),
                (a, b) -> a == b);
    }

    static SharedBodyMarshaller<DeltaDiscoveryResponse, Resource> delta() {
        return new SharedBodyMarshaller<>(
                DeltaDiscoveryResponse.parser(),
                DeltaDiscoveryResponse::getResourcesList,
                r -> r.toBuilder().clearResources().build(),
                (a, b) -> a == b
                        || a.getName() == b.getName()
                                && a.getVersion() == b.getVersion()
                                && a.getResource() == b.getResource()
                                && plain(a)
                                && plain(b));
    }

    /** A delta resource with nothing but a name, a version and the resource (as java-control-plane makes them). */
    private static boolean plain(Resource r) {
        return !r.hasResourceName()
                && r.getAliasesCount() == 0
                && !r.hasTtl()
                && !r.hasCacheControl()
                && !r.hasMetadata()
                && r.getUnknownFields().asMap().isEmpty();
    }

    @Override
    public InputStream stream(T response) {
        List<E> list = resources.apply(response);
        if (list.size() < MIN_SHARED) return new Body(response.toByteArray(), new byte[0]);
        return new Body(withoutResources.apply(response).toByteArray(), block(list).bytes);
    }

    @Override
    public T parse(InputStream stream) {
        try {
            return parser.parseFrom(stream);
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException("cannot read an xDS response", e);
        }
    }

    private Block<E> block(List<E> list) {
        synchronized (blocks) {
            for (Block<E> b : blocks) {
                if (b.holds(list, same)) return b;
            }
        }
        @SuppressWarnings("unchecked")
        Block<E> made = new Block<>((E[]) list.toArray(new Message[0]), encode(list));
        synchronized (blocks) {
            blocks.addFirst(made);
            while (blocks.size() > REMEMBERED) blocks.removeLast();
        }
        return made;
    }

    private static byte[] encode(List<? extends Message> resources) {
        try {
            int size = 0;
            for (Message m : resources) size += CodedOutputStream.computeMessageSize(RESOURCES_FIELD, m);
            byte[] bytes = new byte[size];
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            for (Message m : resources) {
                out.writeUInt32NoTag(RESOURCES_TAG);
                out.writeMessageNoTag(m);
            }
            out.checkNoSpaceLeft();
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode resources", e);
        }
    }

    /** The encoding of exactly these resources, in this order. */
    private record Block<E>(E[] resources, byte[] bytes) {
        boolean holds(List<E> others, BiPredicate<E, E> same) {
            if (others.size() != resources.length) return false;
            for (int i = 0; i < resources.length; i++) if (!same.test(others.get(i), resources[i])) return false;
            return true;
        }
    }

    /** One response on the wire: its own fields, then the shared block, drained into gRPC's buffers by two copies. */
    private static final class Body extends InputStream implements Drainable, KnownLength {
        private final byte[] head;
        private final byte[] block;
        /** Bytes read so far, across head and block. */
        private int position;

        Body(byte[] head, byte[] block) {
            this.head = head;
            this.block = block;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int left = available();
            if (position < head.length) target.write(head, position, head.length - position);
            int inBlock = Math.max(0, position - head.length);
            target.write(block, inBlock, block.length - inBlock);
            position = head.length + block.length;
            return left;
        }

        @Override
        public int available() {
            return head.length + block.length - position;
        }

        @Override
        public int read() {
            if (available() == 0) return -1;
            int at = position++;
            return (at < head.length ? head[at] : block[at - head.length]) & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (available() == 0) return -1;
            int n;
            if (position < head.length) {
                n = Math.min(len, head.length - position);
                System.arraycopy(head, position, b, off, n);
            } else {
                n = Math.min(len, available());
                System.arraycopy(block, position - head.length, b, off, n);
            }
            position += n;
            return n;
        }
    }
}
