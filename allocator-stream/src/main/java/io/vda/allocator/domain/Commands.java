package io.vda.allocator.domain;

import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** What every command record has: a command id and a type name. */
public final class Commands {

    public static final String COMMAND_NAMESPACE = "io.vda.schema.command";

    private Commands() {
    }

    /** The command id, or empty if the record is not a command (no string field {@code commandId}). */
    public static Optional<String> commandId(SpecificRecord record) {
        if (record == null || !COMMAND_NAMESPACE.equals(record.getSchema().getNamespace())) {
            return Optional.empty();
        }
        Schema.Field field = record.getSchema().getField("commandId");
        if (field == null) {
            return Optional.empty();
        }
        Object value = record.get(field.pos());
        return value == null ? Optional.empty() : Optional.of(value.toString());
    }

    /** "CreateDiskArray". */
    public static String type(SpecificRecord record) {
        return record.getSchema().getName();
    }
}
