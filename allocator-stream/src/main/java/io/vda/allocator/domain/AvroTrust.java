package io.vda.allocator.domain;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 instantiates only classes it trusts, also when a builder deep-copies a record
 * ({@code DiskArray.newBuilder(old)}). The serde module trusts {@code io.vda.schema.*} when a deserializer is made
 * ({@code TrustedAvroClasses}, package-private); the pure domain makes no deserializer, so it installs the same
 * predicate itself.
 */
final class AvroTrust {

    static {
        ClassSecurityValidator.ClassSecurityPredicate ours = type -> type.getName().startsWith("io.vda.schema.");
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours));
    }

    private AvroTrust() {
    }

    static void ensureInstalled() {
        // the static initialiser does the work, once per JVM
    }
}
