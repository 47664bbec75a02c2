package io.nodemesh.netlab;

/**
 * A veth pair: {@code name} in {@code netns} and {@code peerName} in {@code peerNetns}. Both ends are made directly in
 * their namespaces ({@code ip -n A link add … peer name … netns B}), so their names never pass through (or collide in)
 * the root namespace. Deleting either end, or either namespace, removes both.
 */
public record VethPair(Netns netns, String name, Netns peerNetns, String peerName) {
    /** Creates the pair; both ends stay down (bring them up after addressing or enslaving them). */
    public static VethPair create(Netns netns, String name, Netns peerNetns, String peerName) {
        // "netns 1" is pid 1's namespace: the root one, as seen from any namespace we make.
        String peerTarget = peerNetns.isRoot() ? "1" : peerNetns.name();
        netns.ipChecked("link", "add", name, "type", "veth", "peer", "name", peerName, "netns", peerTarget);
        return new VethPair(netns, name, peerNetns, peerName);
    }

    /** Best effort, for cleanup: true if the end in {@link #netns} is gone afterwards. */
    public boolean delete() {
        return Links.delete(netns, name);
    }
}
