package io.nodemesh.netlab;

/** IP addresses on links. */
public final class Addresses {
    private Addresses() {}

    /** {@code ip addr add cidr dev link}, e.g. {@code 10.220.0.2/16}. */
    public static void add(Netns netns, String link, String cidr) {
        netns.ipChecked("addr", "add", cidr, "dev", link);
    }

    /**
     * {@code ip addr add cidr dev link nodad}: an IPv6 address usable at once. Without {@code nodad} it stays
     * "tentative" for the ~1-2 s of duplicate address detection, and a bind or connect from it fails meanwhile; a lab
     * whose addresses are unique by construction has nothing to detect.
     */
    public static void addWithoutDad(Netns netns, String link, String cidr) {
        if (!cidr.contains(":")) {
            throw new IllegalArgumentException(
                    "nodad applies to IPv6 only; '" + cidr + "' (for " + link + " in " + netns + ") is not IPv6");
        }
        netns.ipChecked("addr", "add", cidr, "dev", link, "nodad");
    }
}
