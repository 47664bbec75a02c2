package io.nodemesh.ebpf.bpf;

import java.util.Map;

/** Linux errno names and short reasons, for error messages that a person can search for. */
public final class Errno {
    public static final int EPERM = 1,
            ENOENT = 2,
            ESRCH = 3,
            EINTR = 4,
            EIO = 5,
            E2BIG = 7,
            ENOEXEC = 8,
            EBADF = 9,
            EAGAIN = 11,
            ENOMEM = 12,
            EACCES = 13,
            EFAULT = 14,
            EBUSY = 16,
            EEXIST = 17,
            ENOTDIR = 20,
            EISDIR = 21,
            EINVAL = 22,
            ENOSPC = 28,
            ERANGE = 34,
            ENOSYS = 38,
            ENOTSUPP = 524,
            EOPNOTSUPP = 95,
            ELOOP = 40,
            EBADMSG = 74,
            EPROTO = 71;

    private static final Map<Integer, String[]> NAMES = Map.ofEntries(
            Map.entry(EPERM, new String[] {"EPERM", "operation not permitted (needs root or CAP_BPF/CAP_NET_ADMIN)"}),
            Map.entry(ENOENT, new String[] {"ENOENT", "no such file, map entry or object"}),
            Map.entry(ESRCH, new String[] {"ESRCH", "no such process or element"}),
            Map.entry(EINTR, new String[] {"EINTR", "interrupted system call"}),
            Map.entry(EIO, new String[] {"EIO", "input/output error"}),
            Map.entry(E2BIG, new String[] {"E2BIG", "argument list too long (map full or too many entries)"}),
            Map.entry(ENOEXEC, new String[] {"ENOEXEC", "not a valid executable (corrupt ELF object?)"}),
            Map.entry(EBADF, new String[] {"EBADF", "bad file descriptor"}),
            Map.entry(EAGAIN, new String[] {"EAGAIN", "resource temporarily unavailable"}),
            Map.entry(ENOMEM, new String[] {"ENOMEM", "out of memory (or memlock limit)"}),
            Map.entry(EACCES, new String[] {"EACCES", "permission denied (the verifier rejected the program?)"}),
            Map.entry(EFAULT, new String[] {"EFAULT", "bad address"}),
            Map.entry(EBUSY, new String[] {"EBUSY", "device or resource busy"}),
            Map.entry(EEXIST, new String[] {"EEXIST", "already exists"}),
            Map.entry(ENOTDIR, new String[] {"ENOTDIR", "not a directory"}),
            Map.entry(EISDIR, new String[] {"EISDIR", "is a directory"}),
            Map.entry(EINVAL, new String[] {"EINVAL", "invalid argument"}),
            Map.entry(ENOSPC, new String[] {"ENOSPC", "no space left (verifier log too small?)"}),
            Map.entry(ERANGE, new String[] {"ERANGE", "result out of range"}),
            Map.entry(ENOSYS, new String[] {"ENOSYS", "function not implemented by this kernel"}),
            Map.entry(ELOOP, new String[] {"ELOOP", "too many levels of symbolic links"}),
            Map.entry(EPROTO, new String[] {"EPROTO", "protocol error"}),
            Map.entry(EBADMSG, new String[] {"EBADMSG", "bad message (malformed ELF or BTF)"}),
            Map.entry(EOPNOTSUPP, new String[] {"EOPNOTSUPP", "operation not supported"}),
            Map.entry(ENOTSUPP, new String[] {"ENOTSUPP", "operation not supported by this kernel"}),
            // libbpf's own codes (LIBBPF_ERRNO__*), returned negated like errnos.
            Map.entry(4000, new String[] {"LIBBPF_ERRNO__LIBELF", "something wrong in libelf"}),
            Map.entry(4001, new String[] {"LIBBPF_ERRNO__FORMAT", "BPF object format invalid"}),
            Map.entry(4002, new String[] {"LIBBPF_ERRNO__KVERSION", "incorrect or no 'version' section"}),
            Map.entry(4003, new String[] {"LIBBPF_ERRNO__ENDIAN", "endian mismatch"}),
            Map.entry(4004, new String[] {"LIBBPF_ERRNO__INTERNAL", "internal error in libbpf"}),
            Map.entry(4005, new String[] {"LIBBPF_ERRNO__RELOC", "relocation failed"}),
            Map.entry(4007, new String[] {"LIBBPF_ERRNO__VERIFY", "kernel verifier blocks program loading"}),
            Map.entry(4008, new String[] {"LIBBPF_ERRNO__PROG2BIG", "program too big"}),
            Map.entry(4009, new String[] {"LIBBPF_ERRNO__KVER", "incorrect kernel version"}),
            Map.entry(4010, new String[] {"LIBBPF_ERRNO__PROGTYPE", "kernel does not support this program type"}),
            Map.entry(4011, new String[] {"LIBBPF_ERRNO__WRNGPID", "wrong pid in netlink message"}),
            Map.entry(4012, new String[] {"LIBBPF_ERRNO__INVSEQ", "invalid netlink sequence"}),
            Map.entry(4013, new String[] {"LIBBPF_ERRNO__NLPARSE", "netlink parse error"}));

    private Errno() {}

    /** {@code ENOENT} for 2; {@code errno 1234} for a number without a name. */
    public static String name(int errno) {
        String[] e = NAMES.get(Math.abs(errno));
        return e == null ? "errno " + Math.abs(errno) : e[0];
    }

    /** A short readable reason for {@code errno}. */
    public static String reason(int errno) {
        String[] e = NAMES.get(Math.abs(errno));
        return e == null ? "unknown error" : e[1];
    }
}
