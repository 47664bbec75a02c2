package io.nodemesh.wireguard.uapi;

/** One {@code key=value} line of a set request, with the peer it belongs to (empty for device lines) for errors. */
record UapiLine(String key, String value, String peer) {
    String text() {
        return key + "=" + value + "\n";
    }
}
