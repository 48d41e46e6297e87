package io.vda.schema.serde;

/** A new schema version that could not read data written with an earlier version of its subject. */
public final class IncompatibleSchemaException extends RuntimeException {

    private final String subject;
    private final int incompatibleWithVersion;

    public IncompatibleSchemaException(String subject, int incompatibleWithVersion, String details) {
        super("schema is not backward-compatible with version " + incompatibleWithVersion + " of subject '" + subject
                + "': " + details);
        this.subject = subject;
        this.incompatibleWithVersion = incompatibleWithVersion;
    }

    public String subject() {
        return subject;
    }

    public int incompatibleWithVersion() {
        return incompatibleWithVersion;
    }
}
