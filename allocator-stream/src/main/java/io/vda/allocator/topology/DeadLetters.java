package io.vda.allocator.topology;

/**
 * Headers of a record parked on the dead-letter topic: where it came from and why. The original key, value and
 * headers are kept as they were. (Same names as the projections use; they belong in the schemas module.)
 */
public final class DeadLetters {

    public static final String ORIGIN_TOPIC = "vda.origin.topic";
    public static final String ORIGIN_PARTITION = "vda.origin.partition";
    public static final String ORIGIN_OFFSET = "vda.origin.offset";
    public static final String ERROR = "vda.error";
    public static final String COMPONENT = "vda.component";

    private DeadLetters() {
    }
}
