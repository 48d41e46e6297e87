package io.vda.allocator.domain;

import org.apache.avro.specific.SpecificRecord;

/** An event and its record key on the events topic ({@code RecordKeys.resource(kind, name)}). */
public record KeyedEvent(String key, SpecificRecord event) {
}
