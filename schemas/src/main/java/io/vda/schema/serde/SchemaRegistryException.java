package io.vda.schema.serde;

/** The registry's store could not be reached or answered in a way that cannot be retried here. */
public final class SchemaRegistryException extends RuntimeException {

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
