package io.nodemesh.wireguard;

import java.util.List;

/**
 * What {@link WireguardDataplane#uninstall} did on one node: each object it removed, and what it deliberately left.
 * Running it again on a clean node removes nothing, which is no error.
 *
 * @param node    the node the options named
 * @param iface   its WireGuard interface
 * @param removed what was there and is now gone, one human-readable line each
 * @param kept    what was left on purpose, with why
 */
public record UninstallReport(String node, String iface, List<String> removed, List<String> kept) {
    public UninstallReport {
        removed = List.copyOf(removed);
        kept = List.copyOf(kept);
    }

    /** Whether nothing of this backend was left to remove. */
    public boolean nothingRemoved() {
        return removed.isEmpty();
    }

    /** One line per object, for an operator's terminal. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("wireguard on node " + node + " (" + iface + "): ");
        if (removed.isEmpty()) sb.append("nothing to remove");
        else sb.append("removed");
        removed.forEach(r -> sb.append("\n  removed ").append(r));
        kept.forEach(k -> sb.append("\n  kept ").append(k));
        return sb.toString();
    }
}
