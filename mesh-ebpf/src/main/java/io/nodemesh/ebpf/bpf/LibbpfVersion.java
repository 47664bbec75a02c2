package io.nodemesh.ebpf.bpf;

/** A libbpf version; nodemesh needs at least 1.0 (the API where errors are returned, not encoded in pointers). */
public record LibbpfVersion(int major, int minor) {
    public static final LibbpfVersion MINIMUM = new LibbpfVersion(1, 0);

    public boolean atLeast(LibbpfVersion other) {
        return major > other.major || (major == other.major && minor >= other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
