package io.nodemesh.netlab;

/** A Linux bridge in a namespace. */
public record Bridge(Netns netns, String name) {
    /** Creates the bridge and brings it up. */
    public static Bridge create(Netns netns, String name) {
        netns.ipChecked("link", "add", name, "type", "bridge");
        Links.up(netns, name);
        return new Bridge(netns, name);
    }

    /** Enslaves {@code link} (in the same namespace) and brings it up. */
    public void attach(String link) {
        Links.attach(netns, link, name);
    }
}
