package io.vda.schema.serde;

/** A schema id that the registry does not know: the record was written against another registry, or is corrupt. */
public final class UnknownSchemaException extends RuntimeException {

    public UnknownSchemaException(int id) {
        super("no schema is registered with id " + id);
    }
}
