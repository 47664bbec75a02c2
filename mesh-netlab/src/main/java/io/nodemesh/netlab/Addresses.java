package io.nodemesh.netlab;

/** IP addresses on links. */
public final class Addresses {
    private Addresses() {}

    /** {@code ip addr add cidr dev link}, e.g. {@code 10.220.0.2/16}. */
    public static void add(Netns netns, String link, String cidr) {
        netns.ipChecked("addr", "add", cidr, "dev", link);
    }
}
