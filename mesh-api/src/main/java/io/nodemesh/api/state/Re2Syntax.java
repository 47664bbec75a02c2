package io.nodemesh.api.state;

import java.util.Optional;

/**
 * The constructs of Java regular expressions that RE2 (the engine Envoy matches paths with) rejects: backreferences,
 * lookaround, atomic groups and possessive quantifiers — everything that needs backtracking. A state using them would
 * pass {@link java.util.regex.Pattern} and then fail in the proxy.
 */
final class Re2Syntax {
    private Re2Syntax() {}

    /** A description of the first construct RE2 does not support, or empty. {@code regex} already compiles in Java. */
    static Optional<String> unsupported(String regex) {
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            char next = i + 1 < regex.length() ? regex.charAt(i + 1) : '\0';
            if (c == '\\') {
                if (!inClass && next >= '1' && next <= '9') return Optional.of("a backreference (\\" + next + ")");
                if (!inClass && next == 'k' && i + 2 < regex.length() && regex.charAt(i + 2) == '<') {
                    return Optional.of("a named backreference (\\k<...>)");
                }
                i++; // the escaped character is a literal
                continue;
            }
            if (inClass) {
                if (c == ']') inClass = false;
                continue;
            }
            if (c == '[') {
                inClass = true;
                // "[]" and "[^]" open a class whose first member is a literal ']'.
                if (next == '^') i++;
                if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') i++;
                continue;
            }
            if (c == '(' && next == '?' && i + 2 < regex.length()) {
                char kind = regex.charAt(i + 2);
                char after = i + 3 < regex.length() ? regex.charAt(i + 3) : '\0';
                if (kind == '=' || kind == '!') return Optional.of("a lookahead (?" + kind + "...)");
                if (kind == '<' && (after == '=' || after == '!'))
                    return Optional.of("a lookbehind (?<" + after + "...)");
                if (kind == '>') return Optional.of("an atomic group (?>...)");
            }
            if ((c == '*' || c == '+' || c == '?' || c == '}') && next == '+') {
                return Optional.of("a possessive quantifier (" + c + "+)");
            }
        }
        return Optional.empty();
    }
}
