package io.nodemesh.kubernetes.internal;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a MeshState route came from, so a violation MeshState validation finds in it is put on the right object at the
 * right field. A MeshHttpRoute maps field for field; a Gateway API route's rules were split per match and put in
 * precedence order, so each MeshState rule remembers the rule and match it was made from.
 *
 * @param sourceId     the verdict id of the object ({@link Verdicts#id})
 * @param serviceField the object's field that names the routed service
 * @param rules        for each MeshState rule, its rule and match in the object; empty when they are the same
 * @param gateway      whether the object is a Gateway API route (whose fields are spelled Gateway API's way)
 */
record RouteOrigin(String sourceId, String serviceField, List<Place> rules, boolean gateway) {
    /** A rule's place in the object: {@code spec.rules[rule].matches[match]}; match -1 when it had no matches. */
    record Place(int rule, int match) {}

    private static final Pattern RULE = Pattern.compile("^\\.rules\\[(\\d+)\\](.*)$");

    RouteOrigin {
        rules = List.copyOf(rules);
    }

    static RouteOrigin meshHttpRoute(String sourceId) {
        return new RouteOrigin(sourceId, "spec.service", List.of(), false);
    }

    /** The object's field for {@code rest}, the part of a MeshState violation path after {@code routes[key]}. */
    String path(String rest) {
        if (rest.startsWith(".service")) return serviceField + rest.substring(".service".length());
        if (rest.equals(".name") || rest.equals(".namespace")) return "metadata" + rest;
        Matcher m = RULE.matcher(rest);
        if (!m.matches() || !gateway) return "spec" + rest;
        int k = Integer.parseInt(m.group(1));
        String sub = m.group(2).replace(".backends[", ".backendRefs[").replace(".backends", ".backendRefs");
        if (k >= rules.size()) return "spec" + rest;
        Place place = rules.get(k);
        if (sub.startsWith(".matches[0]") && place.match() >= 0)
            sub = ".matches[" + place.match() + "]" + sub.substring(".matches[0]".length());
        return "spec.rules[" + place.rule() + "]" + sub;
    }
}
