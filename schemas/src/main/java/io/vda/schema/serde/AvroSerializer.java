package io.vda.schema.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format: magic byte 0, the schema id as 4 big-endian bytes, then Avro
 * binary. The subject is the record's full name, so any record type may go to any topic.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static final byte MAGIC = 0;

    private final SchemaRegistry registry;
    private final Map<Schema, Writer> writers = new ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistry registry) {
        TrustedAvroClasses.ensureInstalled();
        this.registry = registry;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        Writer writer = writers.computeIfAbsent(schema, s -> new Writer(registry.register(s.getFullName(), s),
                new SpecificDatumWriter<>(s)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(writer.id()).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.datumWriter().write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + schema.getFullName() + " to topic " + topic, e);
        }
        return out.toByteArray();
    }

    private record Writer(int id, SpecificDatumWriter<SpecificRecord> datumWriter) {
    }
}
