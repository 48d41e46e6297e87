package io.vda.projections.kafka;

import io.vda.projections.document.ProjectionInput;
import io.vda.schema.Topics;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.serde.AvroDeserializer;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectStatus;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Turns a Kafka record of the events, status or outcomes topic into a {@link ProjectionInput}; null when the record
 * concerns no document (an unknown record type, a null key). An unreadable record throws SerializationException.
 */
public final class RecordDecoder {

    private final Topics topics;
    private final AvroDeserializer<SpecificRecord> deserializer;

    public RecordDecoder(Topics topics, SchemaRegistry registry) {
        this.topics = topics;
        this.deserializer = new AvroDeserializer<>(registry, SpecificRecord.class);
    }

    public ProjectionInput decode(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            if (key == null) {
                return null;
            }
            if (topic.equals(topics.status())) {
                return new ProjectionInput.StatusRemoved(key);
            }
            if (topic.equals(topics.outcomes())) {
                return new ProjectionInput.OutcomeRemoved(key);
            }
            return null;
        }
        SpecificRecord value = deserializer.deserialize(topic, record.value());
        if (topic.equals(topics.events())) {
            return new ProjectionInput.Event(value);
        }
        if (topic.equals(topics.status())) {
            if (value instanceof ObjectStatus status) {
                return new ProjectionInput.ObjectStatusReport(status);
            }
            if (value instanceof NodeStatus status) {
                return new ProjectionInput.NodeStatusReport(status);
            }
            return null;
        }
        if (topic.equals(topics.outcomes())) {
            if (value instanceof CommandOutcome outcome) {
                return new ProjectionInput.Outcome(outcome);
            }
            throw new SerializationException("record on " + topic + " is a " + value.getSchema().getFullName()
                    + ", expected a CommandOutcome");
        }
        return null;
    }
}
