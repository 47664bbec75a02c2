package io.nodemesh.ebpf.internal.abi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Reads fields of one struct's bytes (host order), e.g. a flow event record or a pinned config. */
public final class StructReader {
    private final StructLayout layout;
    private final ByteBuffer buffer;

    public StructReader(StructLayout layout, byte[] bytes) {
        if (bytes.length < layout.size()) {
            throw new IllegalArgumentException(
                    layout.cName() + " needs " + layout.size() + " bytes, got " + bytes.length);
        }
        this.layout = layout;
        this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int u8(String field) {
        return Byte.toUnsignedInt(buffer.get(field(field, 1).offset()));
    }

    public int u16(String field) {
        return Short.toUnsignedInt(buffer.getShort(field(field, 2).offset()));
    }

    public long u32(String field) {
        return Integer.toUnsignedLong(buffer.getInt(field(field, 4).offset()));
    }

    public long u64(String field) {
        return buffer.getLong(field(field, 8).offset());
    }

    public byte[] bytes(String field) {
        StructLayout.Field f = layout.field(field);
        return Arrays.copyOfRange(buffer.array(), f.offset(), f.offset() + f.size());
    }

    private StructLayout.Field field(String name, int size) {
        StructLayout.Field f = layout.field(name);
        if (f.size() != size)
            throw new IllegalArgumentException(layout.cName() + "." + name + " is " + f.size() + " bytes, not " + size);
        return f;
    }
}
