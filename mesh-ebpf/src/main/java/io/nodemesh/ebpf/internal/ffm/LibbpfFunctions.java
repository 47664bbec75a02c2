package io.nodemesh.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into {@code libbpf.so.1} (1.x), in jextract's style: one handle per C function, its C signature above it.
 * Touch this class only after {@link NativeSupport#problem()} said libbpf and native access are there: its static
 * initializer looks the symbols up.
 * <p>
 * libbpf 1.x returns {@code -errno} from int functions and NULL with {@code errno} set from pointer functions; the
 * latter are linked with {@code captureCallState("errno")} and take the capture segment as their first argument.
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class LibbpfFunctions {
    private LibbpfFunctions() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIB = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
    static final AddressLayout C_POINTER =
            ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    static final ValueLayout.OfLong SIZE_T = JAVA_LONG;

    static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** struct bpf_object_open_opts (libbpf 1.1: 80 bytes); only the fields nodemesh sets are named. */
    static final StructLayout OPEN_OPTS = MemoryLayout.structLayout(
            SIZE_T.withName("sz"),
            ADDRESS.withName("object_name"),
            JAVA_LONG.withName("relaxed_maps_etc"), // bool relaxed_maps + padding
            ADDRESS.withName("pin_root_path"),
            JAVA_LONG.withName("attach_prog_fd_etc"), // __u32 :32 + padding
            ADDRESS.withName("kconfig"),
            ADDRESS.withName("btf_custom_path"),
            ADDRESS.withName("kernel_log_buf"),
            SIZE_T.withName("kernel_log_size"),
            JAVA_INT.withName("kernel_log_level"),
            MemoryLayout.paddingLayout(4));

    static final VarHandle OPEN_OPTS_SZ = OPEN_OPTS.varHandle(MemoryLayout.PathElement.groupElement("sz"));
    static final VarHandle OPEN_OPTS_OBJECT_NAME =
            OPEN_OPTS.varHandle(MemoryLayout.PathElement.groupElement("object_name"));
    static final VarHandle OPEN_OPTS_PIN_ROOT =
            OPEN_OPTS.varHandle(MemoryLayout.PathElement.groupElement("pin_root_path"));
    static final VarHandle OPEN_OPTS_LOG_BUF =
            OPEN_OPTS.varHandle(MemoryLayout.PathElement.groupElement("kernel_log_buf"));
    static final VarHandle OPEN_OPTS_LOG_SIZE =
            OPEN_OPTS.varHandle(MemoryLayout.PathElement.groupElement("kernel_log_size"));
    static final VarHandle OPEN_OPTS_LOG_LEVEL =
            OPEN_OPTS.varHandle(MemoryLayout.PathElement.groupElement("kernel_log_level"));

    /** struct bpf_map_batch_opts { size_t sz; __u64 elem_flags; __u64 flags; } */
    static final StructLayout BATCH_OPTS = MemoryLayout.structLayout(
            SIZE_T.withName("sz"), JAVA_LONG.withName("elem_flags"), JAVA_LONG.withName("flags"));

    static final VarHandle BATCH_OPTS_SZ = BATCH_OPTS.varHandle(MemoryLayout.PathElement.groupElement("sz"));
    static final VarHandle BATCH_OPTS_ELEM_FLAGS =
            BATCH_OPTS.varHandle(MemoryLayout.PathElement.groupElement("elem_flags"));

    /** sizeof(struct bpf_prog_info) in the UAPI headers this was written against; the kernel accepts shorter/longer. */
    static final long PROG_INFO_SIZE = 232;

    static final long PROG_INFO_TYPE = 0,
            PROG_INFO_ID = 4,
            PROG_INFO_NAME = 64,
            PROG_INFO_RUN_TIME_NS = 192,
            PROG_INFO_RUN_CNT = 200;
    /** sizeof(struct bpf_map_info). */
    static final long MAP_INFO_SIZE = 88;

    static final long MAP_INFO_TYPE = 0,
            MAP_INFO_ID = 4,
            MAP_INFO_KEY_SIZE = 8,
            MAP_INFO_VALUE_SIZE = 12,
            MAP_INFO_MAX_ENTRIES = 16,
            MAP_INFO_NAME = 24;
    static final int BPF_OBJ_NAME_LEN = 16;

    /** int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size); */
    static final FunctionDescriptor RING_SAMPLE_FN = FunctionDescriptor.of(JAVA_INT, ADDRESS, C_POINTER, SIZE_T);

    // __u32 libbpf_major_version(void);
    static final MethodHandle libbpf_major_version = fn("libbpf_major_version", FunctionDescriptor.of(JAVA_INT));
    // __u32 libbpf_minor_version(void);
    static final MethodHandle libbpf_minor_version = fn("libbpf_minor_version", FunctionDescriptor.of(JAVA_INT));

    // libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);
    static final MethodHandle libbpf_set_print = fn("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    /** typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *fmt, va_list ap); */
    static final FunctionDescriptor PRINT_FN = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    // struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz, const struct bpf_object_open_opts
    // *opts);
    static final MethodHandle bpf_object__open_mem =
            errnoFn("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, SIZE_T, ADDRESS));
    // int bpf_object__load(struct bpf_object *obj);
    static final MethodHandle bpf_object__load = fn("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // void bpf_object__close(struct bpf_object *obj);
    static final MethodHandle bpf_object__close = fn("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    // struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog);
    static final MethodHandle bpf_object__next_program =
            fn("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    // struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map);
    static final MethodHandle bpf_object__next_map =
            fn("bpf_object__next_map", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    // const char *bpf_program__name(const struct bpf_program *prog);
    static final MethodHandle bpf_program__name = fn("bpf_program__name", FunctionDescriptor.of(C_POINTER, ADDRESS));
    // const char *bpf_program__section_name(const struct bpf_program *prog);
    static final MethodHandle bpf_program__section_name =
            fn("bpf_program__section_name", FunctionDescriptor.of(C_POINTER, ADDRESS));
    // enum bpf_prog_type bpf_program__type(const struct bpf_program *prog);
    static final MethodHandle bpf_program__type = fn("bpf_program__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int bpf_program__fd(const struct bpf_program *prog);
    static final MethodHandle bpf_program__fd = fn("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // const char *bpf_map__name(const struct bpf_map *map);
    static final MethodHandle bpf_map__name = fn("bpf_map__name", FunctionDescriptor.of(C_POINTER, ADDRESS));
    // enum bpf_map_type bpf_map__type(const struct bpf_map *map);
    static final MethodHandle bpf_map__type = fn("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // __u32 bpf_map__key_size(const struct bpf_map *map);
    static final MethodHandle bpf_map__key_size = fn("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // __u32 bpf_map__value_size(const struct bpf_map *map);
    static final MethodHandle bpf_map__value_size = fn("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // __u32 bpf_map__max_entries(const struct bpf_map *map);
    static final MethodHandle bpf_map__max_entries =
            fn("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
    static final MethodHandle bpf_map__set_max_entries =
            fn("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // int bpf_map__fd(const struct bpf_map *map);
    static final MethodHandle bpf_map__fd = fn("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int bpf_map__reuse_fd(struct bpf_map *map, int fd);
    static final MethodHandle bpf_map__reuse_fd =
            fn("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    // int bpf_obj_get(const char *pathname);
    static final MethodHandle bpf_obj_get = fn("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int bpf_obj_pin(int fd, const char *pathname);
    static final MethodHandle bpf_obj_pin = fn("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    // int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len);
    static final MethodHandle bpf_obj_get_info_by_fd =
            fn("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    // int bpf_enable_stats(enum bpf_stats_type type);
    static final MethodHandle bpf_enable_stats = fn("bpf_enable_stats", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // int bpf_map_lookup_elem(int fd, const void *key, void *value);
    static final MethodHandle bpf_map_lookup_elem =
            fn("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
    static final MethodHandle bpf_map_update_elem =
            fn("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    // int bpf_map_delete_elem(int fd, const void *key);
    static final MethodHandle bpf_map_delete_elem =
            fn("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    // int bpf_map_get_next_key(int fd, const void *key, void *next_key);
    static final MethodHandle bpf_map_get_next_key =
            fn("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count, const struct
    // bpf_map_batch_opts *opts);
    static final MethodHandle bpf_map_update_batch =
            fn("bpf_map_update_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    // int bpf_map_delete_batch(int fd, const void *keys, __u32 *count, const struct bpf_map_batch_opts *opts);
    static final MethodHandle bpf_map_delete_batch =
            fn("bpf_map_delete_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    // int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, __u32 *count, const
    // struct bpf_map_batch_opts *opts);
    static final MethodHandle bpf_map_lookup_batch = fn(
            "bpf_map_lookup_batch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    // struct bpf_link *bpf_program__attach_cgroup(const struct bpf_program *prog, int cgroup_fd);
    static final MethodHandle bpf_program__attach_cgroup =
            errnoFn("bpf_program__attach_cgroup", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    // int bpf_prog_attach(int prog_fd, int attachable_fd, enum bpf_attach_type type, unsigned int flags);
    static final MethodHandle bpf_prog_attach =
            fn("bpf_prog_attach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int bpf_prog_detach2(int prog_fd, int attachable_fd, enum bpf_attach_type type);
    static final MethodHandle bpf_prog_detach2 =
            fn("bpf_prog_detach2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int bpf_link__fd(const struct bpf_link *link);
    static final MethodHandle bpf_link__fd = fn("bpf_link__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int bpf_link__pin(struct bpf_link *link, const char *path);
    static final MethodHandle bpf_link__pin = fn("bpf_link__pin", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    // int bpf_link__unpin(struct bpf_link *link);
    static final MethodHandle bpf_link__unpin = fn("bpf_link__unpin", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // struct bpf_link *bpf_link__open(const char *path);
    static final MethodHandle bpf_link__open = errnoFn("bpf_link__open", FunctionDescriptor.of(ADDRESS, ADDRESS));
    // int bpf_link__update_program(struct bpf_link *link, struct bpf_program *prog);
    static final MethodHandle bpf_link__update_program =
            fn("bpf_link__update_program", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    // void bpf_link__disconnect(struct bpf_link *link);
    static final MethodHandle bpf_link__disconnect = fn("bpf_link__disconnect", FunctionDescriptor.ofVoid(ADDRESS));
    // int bpf_link__destroy(struct bpf_link *link);
    static final MethodHandle bpf_link__destroy = fn("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // struct bpf_link *bpf_program__attach_iter(const struct bpf_program *prog, const struct bpf_iter_attach_opts
    // *opts);
    static final MethodHandle bpf_program__attach_iter =
            errnoFn("bpf_program__attach_iter", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    // int bpf_iter_create(int link_fd);   (returns -errno)
    static final MethodHandle bpf_iter_create = fn("bpf_iter_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx, const struct
    // ring_buffer_opts *opts);
    static final MethodHandle ring_buffer__new =
            errnoFn("ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    // int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms);
    static final MethodHandle ring_buffer__poll =
            fn("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // void ring_buffer__free(struct ring_buffer *rb);
    static final MethodHandle ring_buffer__free = fn("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MethodHandle errnoFn(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
    }

    private static MemorySegment symbol(String name) {
        return LIB.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libbpf.so.1 lacks " + name + " (need libbpf >= 1.0)"));
    }

    static int errno(MemorySegment captured) {
        return (int) ERRNO.get(captured, 0L);
    }
}
