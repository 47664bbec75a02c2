package io.nodemesh.netlab;

import java.util.List;

/** Link operations inside one namespace: up, into a bridge, delete, list. */
public final class Links {
    private Links() {}

    public static void up(Netns netns, String link) {
        netns.ipChecked("link", "set", link, "up");
    }

    /** Enslaves {@code link} to {@code bridge} and brings it up. */
    public static void attach(Netns netns, String link, String bridge) {
        netns.ipChecked("link", "set", link, "master", bridge);
        netns.ipChecked("link", "set", link, "up");
    }

    public static boolean exists(Netns netns, String link) {
        return netns.ip("link", "show", "dev", link).ok();
    }

    /** Best effort: true if the link is gone afterwards. */
    public static boolean delete(Netns netns, String link) {
        netns.ip("link", "del", "dev", link);
        return !exists(netns, link);
    }

    /** Names of all links in the namespace (a veth's {@code @peer} suffix removed). */
    public static List<String> names(Netns netns) {
        return netns.ipChecked("-o", "link", "show")
                .lines()
                .filter(l -> l.contains(":"))
                .map(l -> l.split(":")[1].strip().split("@")[0])
                .toList();
    }
}
