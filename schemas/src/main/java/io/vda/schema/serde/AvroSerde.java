package io.vda.schema.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Deserializer;

/** Serde for the Confluent Avro wire format, for one record type or (with {@link SpecificRecord}) any. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(SchemaRegistry registry, Class<T> type) {
        this.serializer = new AvroSerializer<>(registry);
        this.deserializer = new AvroDeserializer<>(registry, type);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(SchemaRegistry registry, Class<T> type) {
        return new AvroSerde<>(registry, type);
    }

    /** For topics that carry several record types (commands, events, node desired state). */
    public static AvroSerde<SpecificRecord> any(SchemaRegistry registry) {
        return new AvroSerde<>(registry, SpecificRecord.class);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
