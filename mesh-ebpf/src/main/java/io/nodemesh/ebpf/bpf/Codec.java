package io.nodemesh.ebpf.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;

/** Turns Java values into a map's fixed-size keys or values and back (native byte order, as the kernel stores them). */
public interface Codec<T> {
    int size();

    byte[] encode(T value);

    T decode(byte[] bytes);

    Codec<Integer> U32 = of(4, (Integer v) -> buffer(4).putInt(v).array(), b -> wrap(b).getInt());
    Codec<Long> U64 = of(8, (Long v) -> buffer(8).putLong(v).array(), b -> wrap(b).getLong());

    /** Raw bytes of a fixed size. */
    static Codec<byte[]> bytes(int size) {
        return of(size, byte[]::clone, byte[]::clone);
    }

    static <T> Codec<T> of(int size, Function<T, byte[]> encode, Function<byte[], T> decode) {
        return new Codec<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public byte[] encode(T value) {
                return encode.apply(value);
            }

            @Override
            public T decode(byte[] bytes) {
                return decode.apply(bytes);
            }
        };
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }
}
