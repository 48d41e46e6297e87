package io.vda.command.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.command.request.FieldError;
import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}). {@code type} is a URN naming the problem kind;
 * extensions: {@code errors} (each bad field and its rule), {@code commandId}, {@code reason} (the allocator's).
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private final ObjectNode json = JsonNodeFactory.instance.objectNode();
    private final int status;

    private Problem(String kind, String title, int status) {
        this.status = status;
        json.put("type", "urn:vda:problem:" + kind);
        json.put("title", title);
        json.put("status", status);
    }

    public static Problem of(String kind, String title, int status) {
        return new Problem(kind, title, status);
    }

    public static Problem invalid(List<FieldError> errors) {
        Problem p = new Problem("invalid-request", "The request is invalid", 400);
        p.detail(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid");
        ArrayNode array = p.json.putArray("errors");
        for (FieldError e : errors) {
            array.addObject().put("field", e.field()).put("message", e.message());
        }
        return p;
    }

    public static Problem notFound(String detail) {
        return new Problem("not-found", "Not found", 404).detail(detail);
    }

    public Problem detail(String detail) {
        json.put("detail", detail);
        return this;
    }

    public Problem instance(String instance) {
        json.put("instance", instance);
        return this;
    }

    public Problem put(String field, String value) {
        json.put(field, value);
        return this;
    }

    public int status() {
        return status;
    }

    public ObjectNode json() {
        return json;
    }
}
