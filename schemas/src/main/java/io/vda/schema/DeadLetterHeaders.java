package io.vda.schema;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Headers of a record parked on the dead-letter topic ({@link Topics#deadLetter()}): where it came from, why, and
 * which component parked it. The original key, value and headers are kept as they were.
 */
public final class DeadLetterHeaders {

    public static final String ORIGIN_TOPIC = "vda.origin.topic";
    public static final String ORIGIN_PARTITION = "vda.origin.partition";
    public static final String ORIGIN_OFFSET = "vda.origin.offset";
    public static final String ERROR = "vda.error";
    public static final String COMPONENT = "vda.component";

    private DeadLetterHeaders() {
    }

    /** Adds the origin of the parked record. */
    public static Headers origin(Headers headers, String topic, int partition, long offset) {
        return headers.add(ORIGIN_TOPIC, utf8(topic))
                .add(ORIGIN_PARTITION, utf8(Integer.toString(partition)))
                .add(ORIGIN_OFFSET, utf8(Long.toString(offset)));
    }

    /** Adds why it was parked and by whom. */
    public static Headers cause(Headers headers, String error, String component) {
        return headers.add(ERROR, utf8(String.valueOf(error))).add(COMPONENT, utf8(component));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
