package io.vda.allocator.domain;

import org.apache.avro.specific.SpecificRecord;

/** One entity of the cluster model to write to the state store ({@code value} null: delete the key). */
public record ModelChange(String key, SpecificRecord value) {
}
