package io.vda.schema.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into the generated class named by the writer's schema, resolving the writer schema
 * (from the registry, by id) into this build's reader schema, so old records read with new code.
 * Anything unreadable is a {@link SerializationException}: a poison record, for the caller to park.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final SchemaRegistry registry;
    private final Class<T> expected;
    private final Map<Integer, SpecificDatumReader<SpecificRecord>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistry registry, Class<T> expected) {
        TrustedAvroClasses.ensureInstalled();
        this.registry = registry;
        this.expected = expected;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < 5 || data[0] != AvroSerializer.MAGIC) {
            throw new SerializationException("record on topic " + topic + " is not in the Avro wire format"
                    + " (magic byte 0 and a 4-byte schema id)");
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        try {
            SpecificDatumReader<SpecificRecord> reader = readers.computeIfAbsent(id, this::readerFor);
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
            SpecificRecord record = reader.read(null, decoder);
            if (!expected.isInstance(record)) {
                throw new SerializationException("record on topic " + topic + " is a "
                        + record.getSchema().getFullName() + ", expected " + expected.getName());
            }
            return expected.cast(record);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("cannot read record with schema id " + id + " on topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    private SpecificDatumReader<SpecificRecord> readerFor(int id) {
        Schema writer = registry.schemaById(id);
        Class<?> type = SpecificData.get().getClass(writer);
        if (type == null || !SpecificRecord.class.isAssignableFrom(type)) {
            throw new SerializationException("record type " + writer.getFullName() + " (schema id " + id
                    + ") is unknown to this reader");
        }
        SpecificData model = SpecificData.getForClass(type);
        return new SpecificDatumReader<>(writer, model.getSchema(type), model);
    }
}
