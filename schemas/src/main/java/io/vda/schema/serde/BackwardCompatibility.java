package io.vda.schema.serde;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Backward-transitive compatibility: the new schema must read data written with every earlier version. */
final class BackwardCompatibility {

    private BackwardCompatibility() {
    }

    /** @param earlier the subject's versions, oldest first, as (version, schema) */
    static void check(String subject, Schema candidate, List<Versioned> earlier) {
        for (Versioned old : earlier) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema());
            if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                throw new IncompatibleSchemaException(subject, old.version(), result.getResult().getIncompatibilities()
                        .stream().map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                        .toList().toString());
            }
        }
    }

    record Versioned(int version, Schema schema) {
    }
}
