package io.nodemesh.wireguard.uapi;

/** Names for the errno values WireGuard implementations reply with. */
final class Errno {
    private Errno() {}

    static String describe(int errno) {
        String name = switch (errno) {
            case -1 -> "no errno in reply (protocol error)";
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 13 -> "EACCES";
            case 22 -> "EINVAL, invalid value";
            case 71 -> "EPROTO, protocol error";
            case 98 -> "EADDRINUSE, port already in use";
            default -> "errno " + errno;
        };
        return errno > 0 ? "errno=" + errno + " " + name : name;
    }
}
