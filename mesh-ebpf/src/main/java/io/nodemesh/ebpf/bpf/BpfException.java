package io.nodemesh.ebpf.bpf;

import io.nodemesh.api.DataplaneException;

/**
 * A BPF operation failed. The message names the operation and its object (map, program, path), the errno name and a
 * readable reason, e.g. {@code pin map nm_sockhash at /sys/fs/bpf/x: ENOENT (no such file, map entry or object)}.
 */
public class BpfException extends DataplaneException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public BpfException(String what, int errno) {
        super(what + ": " + Errno.name(errno) + " (" + Errno.reason(errno) + ")");
        this.errno = Math.abs(errno);
    }

    /** For failures found in user space, with no errno. */
    public BpfException(String message) {
        super(message);
        this.errno = 0;
    }

    protected BpfException(String message, int errno, boolean raw) {
        super(message);
        this.errno = Math.abs(errno);
    }

    /** The positive errno, or 0 when the failure did not come from the kernel or libbpf. */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }
}
