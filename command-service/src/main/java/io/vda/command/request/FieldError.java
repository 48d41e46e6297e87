package io.vda.command.request;

/** One thing wrong with a request: the JSON field (as a path, e.g. {@code qos.rwIosPerSec}, {@code hostNqns[0]}) and the rule it breaks. */
public record FieldError(String field, String message) {
}
