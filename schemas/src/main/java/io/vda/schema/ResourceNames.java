package io.vda.schema;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for resource names (disk nodes, physical disks, controller nodes, disk arrays, exporters).
 * Names end up in Kafka topic names, etcd keys, SPDK bdev names and NQNs, so they are kept to a DNS-label-like
 * alphabet that is safe in all of them.
 */
public final class ResourceNames {

    public static final int MAX_LENGTH = 63;
    public static final String RULE = "1 to 63 characters: lower-case letters, digits and '-', starting with a letter"
            + " or digit and not ending with '-'";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private ResourceNames() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Empty when valid; otherwise the rule the name breaks. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is required; " + RULE);
        }
        return isValid(name) ? Optional.empty() : Optional.of("'" + name + "' is not a valid name; " + RULE);
    }
}
