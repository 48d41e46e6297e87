package io.vda.command.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one JSON object strictly: every field not in the allowed set is an error naming it, and every typed read
 * that finds the wrong JSON type records an error naming the field instead of throwing, so one response lists all
 * problems. Absent and {@code null} fields read as empty.
 */
final class JsonObjectReader {

    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;

    private JsonObjectReader(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /** The request body; {@code null} or a non-object is an error on the field {@code body}. */
    static JsonObjectReader root(JsonNode body, Set<String> allowed, List<FieldError> errors) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            errors.add(new FieldError("body", "a JSON object is required"));
            return new JsonObjectReader(null, "", errors);
        }
        if (!body.isObject()) {
            errors.add(new FieldError("body", "must be a JSON object"));
            return new JsonObjectReader(null, "", errors);
        }
        return new JsonObjectReader(body, "", errors).checkFields(allowed);
    }

    private JsonObjectReader checkFields(Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                errors.add(new FieldError(field(name), "unknown field; allowed: " + String.join(", ", sorted(allowed))));
            }
        }
        return this;
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        return node != null && node.has(name) && !node.get(name).isNull();
    }

    private Optional<JsonNode> value(String name) {
        return has(name) ? Optional.of(node.get(name)) : Optional.empty();
    }

    Optional<String> string(String name) {
        return value(name).flatMap(v -> {
            if (!v.isTextual()) {
                errors.add(new FieldError(field(name), "must be a string"));
                return Optional.empty();
            }
            return Optional.of(v.textValue());
        });
    }

    Optional<Boolean> bool(String name) {
        return value(name).flatMap(v -> {
            if (!v.isBoolean()) {
                errors.add(new FieldError(field(name), "must be true or false"));
                return Optional.empty();
            }
            return Optional.of(v.booleanValue());
        });
    }

    Optional<Long> longValue(String name) {
        return value(name).flatMap(v -> {
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                errors.add(new FieldError(field(name), "must be an integer (64-bit)"));
                return Optional.empty();
            }
            return Optional.of(v.longValue());
        });
    }

    Optional<Integer> intValue(String name) {
        return value(name).flatMap(v -> {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                errors.add(new FieldError(field(name), "must be an integer (32-bit)"));
                return Optional.empty();
            }
            return Optional.of(v.intValue());
        });
    }

    Optional<JsonObjectReader> object(String name, Set<String> allowed) {
        return value(name).flatMap(v -> {
            if (!v.isObject()) {
                errors.add(new FieldError(field(name), "must be a JSON object"));
                return Optional.empty();
            }
            return Optional.of(new JsonObjectReader(v, field(name), errors).checkFields(allowed));
        });
    }

    /** A list of strings; elements of the wrong type are errors named {@code field[i]}. */
    Optional<List<String>> strings(String name) {
        return value(name).flatMap(v -> {
            if (!v.isArray()) {
                errors.add(new FieldError(field(name), "must be an array of strings"));
                return Optional.empty();
            }
            List<String> result = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (v.get(i).isTextual()) {
                    result.add(v.get(i).textValue());
                } else {
                    errors.add(new FieldError(field(name) + "[" + i + "]", "must be a string"));
                }
            }
            return Optional.of(result);
        });
    }

    /** Records a rule broken by the field's value. */
    void error(String name, String message) {
        errors.add(new FieldError(field(name), message));
    }

    /** A required field that is absent (or null) is an error. */
    <T> Optional<T> required(String name, Optional<T> value) {
        if (value.isEmpty() && !has(name)) {
            errors.add(new FieldError(field(name), "is required"));
        }
        return value;
    }
}
