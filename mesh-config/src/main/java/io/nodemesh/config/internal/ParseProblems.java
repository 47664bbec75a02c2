package io.nodemesh.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.config.StateFileProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Turns Jackson's exceptions into a problem a person can act on: file, line:column, document path, reason. */
public final class ParseProblems {
    private static final Pattern TOKEN = Pattern.compile("JsonToken\\.([A-Z_]+)");
    /** SnakeYAML's mark line: {@code  in 'reader', line 3, column 4:}. */
    private static final Pattern YAML_MARK = Pattern.compile("in '(?:reader|string)', line (\\d+), column (\\d+)");

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");
    private static final Pattern SOURCE = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");

    private ParseProblems() {}

    public static StateFileProblem of(String file, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        int line = at == null || at.getLineNr() < 0 ? 0 : at.getLineNr();
        int column = at == null || at.getColumnNr() < 0 ? 0 : at.getColumnNr();
        String path = e instanceof JsonMappingException m ? path(m.getPath()) : "";
        // SnakeYAML marks the problem itself in its message; that beats where the parser happened to stand.
        Matcher mark = lastYamlMark(e.getOriginalMessage());
        if (mark != null) {
            line = Integer.parseInt(mark.group(1));
            column = Integer.parseInt(mark.group(2));
        }
        return new StateFileProblem(file, line, column, path, reason(e));
    }

    private static Matcher lastYamlMark(String message) {
        if (message == null) return null;
        Matcher m = YAML_MARK.matcher(message);
        int last = -1;
        while (m.find()) last = m.start();
        return last >= 0 && m.find(last) ? m : null;
    }

    /** {@code services[1].ports[0].port}: field names joined by dots, list positions in brackets. */
    static String path(List<JsonMappingException.Reference> references) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) b.append('.');
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String reason(JsonProcessingException e) {
        return switch (e) {
            case UnrecognizedPropertyException u ->
                "unknown field '" + u.getPropertyName() + "'" + known(u.getKnownPropertyIds());
            case InvalidNullException n -> "must not be null";
            case InvalidFormatException f -> invalidValue(f);
            case InvalidTypeIdException t ->
                t.getBaseType() != null && t.getBaseType().isTypeOrSubTypeOf(HttpFilter.class)
                        ? RouteMixins.typeProblem(t.getTypeId())
                        : ResilienceMixins.typeProblem(t.getTypeId());
            case MismatchedInputException m -> mismatched(m);
            case ValueInstantiationException v ->
                v.getCause() == null ? v.getOriginalMessage() : v.getCause().getMessage();
            default -> syntax(e.getOriginalMessage());
        };
    }

    private static String invalidValue(InvalidFormatException f) {
        Class<?> target = f.getTargetType();
        if (target == Duration.class) return f.getOriginalMessage();
        if (target != null && target.isEnum()) {
            String values = Arrays.stream(target.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
            return "'" + f.getValue() + "' is not one of: " + values;
        }
        return "'" + f.getValue() + "' is not " + describe(target);
    }

    private static String mismatched(MismatchedInputException m) {
        if (m.getOriginalMessage().startsWith("Cannot map `null`")) return "must not be null";
        JsonToken found = m.getProcessor() instanceof JsonParser p ? p.currentToken() : null;
        if (found == null) found = tokenNamedIn(m.getOriginalMessage());
        return "expected " + describe(m.getTargetType()) + (found == null ? "" : ", found " + describe(found));
    }

    /** Jackson names the offending token in its message as {@code (token `JsonToken.START_OBJECT`)}. */
    private static JsonToken tokenNamedIn(String message) {
        Matcher m = TOKEN.matcher(message);
        if (!m.find()) return null;
        try {
            return JsonToken.valueOf(m.group(1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty()) return "";
        return " (expected one of: "
                + ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
    }

    private static String describe(Class<?> type) {
        if (type == null) return "a valid value";
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class)
            return "a whole number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (type == Duration.class) return "a duration such as 30s";
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) return "a list";
        if (Map.class.isAssignableFrom(type)) return "a map of names to strings";
        if (type.getSimpleName().equals("MeshState"))
            return "a mesh state (an object with nodes, workloads, services, policies, routes, encryption)";
        if (type.isRecord()) return "a " + type.getSimpleName() + " object";
        return "a " + type.getSimpleName();
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "true/false";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name().toLowerCase(Locale.ROOT) : "'" + token.asString() + "'";
        };
    }

    /**
     * Syntax errors on one line. SnakeYAML writes a context ("while parsing a block collection"), the problem, each
     * followed by a mark line and a source excerpt: keep the problem, then the context with its line. Jackson's own
     * messages name locations as {@code [Source: …; line: 1, column: 11]}: keep just the line and column.
     */
    static String syntax(String message) {
        if (message == null) return "malformed document";
        List<String> texts = new ArrayList<>();
        List<String> marks = new ArrayList<>();
        for (String l : message.lines().toList()) {
            if (l.isBlank()) continue;
            Matcher mark = YAML_MARK.matcher(l);
            if (mark.find() && !texts.isEmpty() && marks.size() < texts.size()) {
                marks.add("line " + mark.group(1));
            } else if (!Character.isWhitespace(l.charAt(0))) {
                texts.add(l.strip());
            }
        }
        if (texts.isEmpty()) return "malformed document";
        String reason = texts.getLast();
        if (texts.size() > 1) {
            String context = texts.getFirst();
            reason += " (" + context + (marks.isEmpty() ? "" : " that starts at " + marks.getFirst()) + ")";
        }
        reason = DUPLICATE.matcher(reason).replaceAll("duplicate key '$1'");
        return SOURCE.matcher(reason).replaceAll("line $1, column $2");
    }
}
