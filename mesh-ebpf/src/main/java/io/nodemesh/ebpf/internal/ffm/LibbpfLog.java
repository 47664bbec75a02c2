package io.nodemesh.ebpf.internal.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends libbpf's own messages to SLF4J (logger {@code io.nodemesh.ebpf.libbpf}) instead of stderr. libbpf hands us a
 * printf format and a {@code va_list}; {@code vsnprintf} formats it. Only on x86-64, where a {@code va_list} argument
 * is a plain pointer; elsewhere libbpf keeps printing to stderr.
 */
@SuppressWarnings("restricted")
final class LibbpfLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.nodemesh.ebpf.libbpf");
    private static final int LIBBPF_WARN = 0, LIBBPF_INFO = 1;
    private static final long BUFFER = 8192;

    /** libbpf names the program whose load failed only in a message: "prog 'x': BPF program load failed: ...". */
    private static final java.util.regex.Pattern FAILED_PROGRAM =
            java.util.regex.Pattern.compile("prog '([^']+)': (?:BPF program load failed|failed to load)");

    private static final ThreadLocal<String> LAST_FAILED_PROGRAM = ThreadLocal.withInitial(() -> "");

    private LibbpfLog() {}

    /** The program libbpf last reported as failing to load on this thread, then forgets it. */
    static String takeFailedProgram() {
        String p = LAST_FAILED_PROGRAM.get();
        LAST_FAILED_PROGRAM.remove();
        return p;
    }

    static void install() {
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch"))) return;
        try {
            MemorySegment stub = LibbpfFunctions.LINKER.upcallStub(
                    MethodHandles.lookup()
                            .findStatic(
                                    LibbpfLog.class,
                                    "print",
                                    MethodType.methodType(
                                            int.class, int.class, MemorySegment.class, MemorySegment.class)),
                    LibbpfFunctions.PRINT_FN,
                    Arena.global());
            MemorySegment previous = (MemorySegment) LibbpfFunctions.libbpf_set_print.invokeExact(stub);
        } catch (Throwable t) {
            LOG.debug("libbpf messages stay on stderr: {}", t.toString());
        }
    }

    /** The upcall; must never throw into native code. */
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            boolean wanted = level == LIBBPF_WARN
                    ? LOG.isWarnEnabled()
                    : level == LIBBPF_INFO ? LOG.isInfoEnabled() : LOG.isDebugEnabled();
            if (!wanted && level != LIBBPF_WARN) return 0;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(BUFFER);
                int n = (int) LibcFunctions.vsnprintf.invokeExact(buf, BUFFER, format, args);
                if (n < 0) return 0;
                String text = buf.getString(0).stripTrailing();
                var m = FAILED_PROGRAM.matcher(text);
                if (m.find()) LAST_FAILED_PROGRAM.set(m.group(1));
                if (!wanted) return n;
                if (level == LIBBPF_WARN) LOG.warn(text);
                else if (level == LIBBPF_INFO) LOG.info(text);
                else LOG.debug(text);
                return n;
            }
        } catch (Throwable t) {
            return 0;
        }
    }
}
