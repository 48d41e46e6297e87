package io.vda.schema.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 instantiates only classes it trusts. Our generated records live under {@code io.vda.schema}; trust those
 * on top of Avro's defaults (and whatever the system properties allow), nothing else.
 */
final class TrustedAvroClasses {

    private static final String GENERATED_PACKAGE = "io.vda.schema.";

    static {
        ClassSecurityValidator.ClassSecurityPredicate ours = type -> type.getName().startsWith(GENERATED_PACKAGE);
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours));
    }

    private TrustedAvroClasses() {
    }

    /** Installs the predicate once per JVM (class initialisation runs once). */
    static void ensureInstalled() {
        // the static initialiser does the work
    }
}
