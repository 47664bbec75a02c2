package io.nodemesh.envoy.internal;

import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
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

/**
 * Writes state-of-the-world responses, encoding a block of resources once for every client it goes to.
 * <p>
 * A first configuration sends the same 10,000 clusters and 10,000 load assignments (the same packed {@code Any}
 * objects, {@link CompleteAnswers}) to every client of the mesh; encoding them per client walked 20,000 messages 100
 * times. The encoded block of a response's resources is kept with the objects it was made from, and a response
 * carrying those very objects is written as its own few fields (version, type, nonce) followed by the block — a
 * copy. Fields may come in any order on the wire, and parsers merge them, so the result is an ordinary response.
 */
final class SharedBodyMarshaller implements MethodDescriptor.Marshaller<DiscoveryResponse> {
    /** Below this many resources, encoding is as cheap as finding a block. */
    private static final int MIN_SHARED = 64;
    /** How many blocks to keep (a few resource types at the current and the previous version); each is a full config's part. */
    private static final int REMEMBERED = 4;
    private static final int RESOURCES_TAG = DiscoveryResponse.RESOURCES_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private final Deque<Block> blocks = new ArrayDeque<>();

    @Override
    public InputStream stream(DiscoveryResponse response) {
        if (response.getResourcesCount() < MIN_SHARED) return new Body(response.toByteArray(), new byte[0]);
        Block block = block(response.getResourcesList());
        byte[] head = response.toBuilder().clearResources().build().toByteArray();
        return new Body(head, block.bytes);
    }

    @Override
    public DiscoveryResponse parse(InputStream stream) {
        try {
            return DiscoveryResponse.parseFrom(stream);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a DiscoveryResponse", e);
        }
    }

    private Block block(List<Any> resources) {
        synchronized (blocks) {
            for (Block b : blocks) {
                if (b.holds(resources)) return b;
            }
        }
        Block made = new Block(resources.toArray(new Any[0]), encode(resources));
        synchronized (blocks) {
            blocks.addFirst(made);
            while (blocks.size() > REMEMBERED) blocks.removeLast();
        }
        return made;
    }

    private static byte[] encode(List<Any> resources) {
        try {
            int size = 0;
            for (Any a : resources) size += CodedOutputStream.computeMessageSize(DiscoveryResponse.RESOURCES_FIELD_NUMBER, a);
            byte[] bytes = new byte[size];
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            for (Any a : resources) {
                out.writeUInt32NoTag(RESOURCES_TAG);
                out.writeMessageNoTag(a);
            }
            out.checkNoSpaceLeft();
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode resources", e);
        }
    }

    /** The encoding of exactly these {@code Any} objects, in this order. */
    private record Block(Any[] resources, byte[] bytes) {
        boolean holds(List<Any> others) {
            if (others.size() != resources.length) return false;
            for (int i = 0; i < resources.length; i++) if (others.get(i) != resources[i]) return false;
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
