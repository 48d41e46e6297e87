package io.vda.schema.serde;

import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Schema ids for the Confluent wire format. Subjects are Avro record full names (record-name strategy), so one
 * topic may carry several record types and every type evolves under one compatibility history.
 */
public interface SchemaRegistry {

    /**
     * Registers a schema under a subject, or returns the id it already has. The same schema text always gets the
     * same id, whatever the subject.
     *
     * @throws IncompatibleSchemaException if a reader of this schema could not read data written with an earlier
     *     version of the subject (backward compatibility)
     */
    int register(String subject, Schema schema);

    /** @throws UnknownSchemaException if no schema has that id */
    Schema schemaById(int id);

    Optional<RegisteredSchema> latest(String subject);

    /** A subject's version. */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }
}
