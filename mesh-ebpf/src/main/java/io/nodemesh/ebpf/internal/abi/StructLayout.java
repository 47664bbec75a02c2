package io.nodemesh.ebpf.internal.abi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte layout of one C struct of {@code bpf/nodemesh.h}: its size and each field's offset and size. The layouts in
 * {@link KernelLayouts} are checked against the C compiler's {@code offsetof}/{@code sizeof} by a unit test.
 */
public record StructLayout(String cName, int size, List<Field> fields) {
    /** One field; arrays (addresses) are one field of their whole size. */
    public record Field(String name, int offset, int size) {}

    public StructLayout {
        fields = List.copyOf(fields);
        int end = 0;
        for (Field f : fields) {
            if (f.offset() != end)
                throw new IllegalArgumentException(
                        cName + "." + f.name() + " at " + f.offset() + ", expected " + end + " (no holes)");
            end += f.size();
        }
        if (end != size)
            throw new IllegalArgumentException(
                    cName + " fields end at " + end + " but the struct is " + size + " bytes");
    }

    /** Lays out fields back to back from name/size pairs, the way nodemesh.h declares them (explicit padding). */
    static StructLayout of(String cName, Object... nameSizePairs) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (int i = 0; i < nameSizePairs.length; i += 2)
            sizes.put((String) nameSizePairs[i], (Integer) nameSizePairs[i + 1]);
        int offset = 0;
        var list = new java.util.ArrayList<Field>();
        for (var e : sizes.entrySet()) {
            list.add(new Field(e.getKey(), offset, e.getValue()));
            offset += e.getValue();
        }
        return new StructLayout(cName, offset, list);
    }

    public Field field(String name) {
        for (Field f : fields) if (f.name().equals(name)) return f;
        throw new IllegalArgumentException("struct " + cName + " has no field " + name);
    }
}
