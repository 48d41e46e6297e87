package io.vda.allocator.domain;

import org.apache.avro.specific.SpecificRecord;

/**
 * A record for one node's desired-state topic: the object key ({@code pd/pd1}, {@code vd/db1/0}, …) and its whole
 * spec, or null to remove the object (a tombstone).
 */
public record NodeSpecChange(String nodeName, String objectKey, SpecificRecord spec) {
}
