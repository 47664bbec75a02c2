package io.nodemesh.ebpf.internal.abi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Fills one struct's bytes field by field, in host order (little-endian x86-64), checking each field's width. */
final class StructWriter {
    private final StructLayout layout;
    private final ByteBuffer buffer;

    StructWriter(StructLayout layout) {
        this.layout = layout;
        this.buffer = ByteBuffer.allocate(layout.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    StructWriter u8(StructLayout.Field f, int value) {
        check(f, 1, value, 0xff);
        buffer.put(f.offset(), (byte) value);
        return this;
    }

    StructWriter u16(StructLayout.Field f, int value) {
        check(f, 2, value, 0xffff);
        buffer.putShort(f.offset(), (short) value);
        return this;
    }

    StructWriter u32(StructLayout.Field f, long value) {
        check(f, 4, value, 0xffff_ffffL);
        buffer.putInt(f.offset(), (int) value);
        return this;
    }

    StructWriter u64(StructLayout.Field f, long value) {
        width(f, 8);
        buffer.putLong(f.offset(), value);
        return this;
    }

    StructWriter bytes(StructLayout.Field f, byte[] value) {
        width(f, value.length);
        buffer.put(f.offset(), value);
        return this;
    }

    Bytes build() {
        return Bytes.wrap(buffer.array());
    }

    private void check(StructLayout.Field f, int size, long value, long max) {
        width(f, size);
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(
                    layout.cName() + "." + f.name() + " = " + value + " does not fit in " + size + " bytes");
        }
    }

    private void width(StructLayout.Field f, int size) {
        if (f.size() != size) {
            throw new IllegalArgumentException(
                    layout.cName() + "." + f.name() + " is " + f.size() + " bytes, not " + size);
        }
    }
}
