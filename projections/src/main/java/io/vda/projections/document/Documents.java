package io.vda.projections.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Field names and small helpers for the documents' JSON (the contract is in docs/projections.md). */
public final class Documents {

    public static final int SCHEMA_VERSION = 1;

    public static final String SCHEMA_VERSION_FIELD = "schemaVersion";
    public static final String KIND = "kind";
    public static final String NAME = "name";
    public static final String SPEC = "spec";
    public static final String PLACEMENT = "placement";
    public static final String STATE = "state";
    public static final String STATUS = "status";
    public static final String OBJECTS = "objects";
    public static final String ERRORS = "errors";
    public static final String NODE = "node";
    public static final String LAST_COMMAND_ID = "lastCommandId";
    public static final String SPEC_CHANGED_AT = "specChangedAt";
    public static final String UPDATED_AT = "updatedAt";

    /** Status entry fields. */
    public static final String OBJECT_KEY = "objectKey";
    public static final String MESSAGE = "message";
    public static final String EPOCH = "epoch";
    public static final String OBSERVED_AT = "observedAt";

    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Documents() {
    }

    public static ObjectNode status(ObjectNode document) {
        JsonNode status = document.get(STATUS);
        if (status instanceof ObjectNode object) {
            return object;
        }
        return document.putObject(STATUS);
    }

    public static ArrayNode objects(ObjectNode document) {
        ObjectNode status = status(document);
        JsonNode objects = status.get(OBJECTS);
        if (objects instanceof ArrayNode array) {
            return array;
        }
        return status.putArray(OBJECTS);
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    public static long longValue(JsonNode node, String field, long otherwise) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.canConvertToLong() ? otherwise : value.asLong();
    }

    public static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : Instant.parse(text);
    }

    public static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    /**
     * A copy to change: new top-level object, {@code status} object and {@code status.objects} array; everything
     * else (spec, status entries) shared with the original. Documents are never changed below those levels, so this
     * is as safe as a deep copy and much cheaper on documents with large specs.
     */
    public static ObjectNode copyForUpdate(ObjectNode document) {
        ObjectNode copy = NODES.objectNode();
        document.properties().forEach(field -> copy.set(field.getKey(), field.getValue()));
        JsonNode status = document.get(STATUS);
        if (status instanceof ObjectNode statusObject) {
            ObjectNode statusCopy = copy.putObject(STATUS);
            statusObject.properties().forEach(field -> statusCopy.set(field.getKey(), field.getValue()));
            JsonNode objects = statusObject.get(OBJECTS);
            if (objects instanceof ArrayNode array) {
                ArrayNode objectsCopy = statusCopy.putArray(OBJECTS);
                array.forEach(objectsCopy::add);
            }
        }
        return copy;
    }

    /** The id of a status entry: {@code <node>/<objectKey>}. */
    public static String statusId(JsonNode entry) {
        return text(entry, NODE) + "/" + text(entry, OBJECT_KEY);
    }
}
