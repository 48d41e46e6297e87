package io.vda.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vda.schema.command.DeleteDiskArray;
import io.vda.schema.common.EventMetadata;
import io.vda.schema.common.RejectReason;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.event.DiskArrayRejected;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldWriteConfluentWireFormatWithTheRegisteredId() {
        DeleteDiskArray command = new DeleteDiskArray("c-1", Instant.ofEpochMilli(5), "db1");

        byte[] bytes = AvroSerde.of(registry, DeleteDiskArray.class).serializer().serialize("t", command);

        assertThat(bytes[0]).isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(registry.schemaById(id)).isEqualTo(DeleteDiskArray.getClassSchema());
        assertThat(registry.latest(DeleteDiskArray.getClassSchema().getFullName()).orElseThrow().id()).isEqualTo(id);
    }

    @Test
    void shouldReadEachRecordAsTheTypeItWasWrittenWith() {
        AvroSerde<SpecificRecord> serde = AvroSerde.any(registry);
        DeleteDiskArray command = new DeleteDiskArray("c-1", Instant.ofEpochMilli(5), "db1");
        DiskArrayRejected event = new DiskArrayRejected(
                new EventMetadata("e-1", ResourceKind.DISK_ARRAY, "db1", "c-1", Instant.ofEpochMilli(6)),
                "CreateDiskArray", RejectReason.INSUFFICIENT_CAPACITY, "too big");

        SpecificRecord readCommand = serde.deserializer().deserialize("t", serde.serializer().serialize("t", command));
        SpecificRecord readEvent = serde.deserializer().deserialize("t", serde.serializer().serialize("t", event));

        assertThat(readCommand).isEqualTo(command);
        assertThat(readEvent).isEqualTo(event);
    }

    @Test
    void shouldRefuseBytesThatAreNotInTheWireFormat() {
        var deserializer = AvroSerde.any(registry).deserializer();

        assertThatThrownBy(() -> deserializer.deserialize("t", "garbage".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not in the Avro wire format");
        assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {0, 0, 0, 0, 42, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 42");
    }

    @Test
    void shouldRefuseARecordOfAnotherTypeThanExpected() {
        byte[] bytes = AvroSerde.any(registry).serializer()
                .serialize("t", new DeleteDiskArray("c-1", Instant.ofEpochMilli(5), "db1"));

        assertThatThrownBy(() -> AvroSerde.of(registry, DiskArrayRejected.class).deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("expected " + DiskArrayRejected.class.getName());
    }

    @Test
    void shouldRefuseATypeUnknownToThisReader() {
        var unknown = SchemaBuilder.record("NotGenerated").namespace("io.vda.schema.command").fields()
                .requiredString("x").endRecord();
        int id = registry.register(unknown.getFullName(), unknown);
        byte[] bytes = ByteBuffer.allocate(7).put((byte) 0).putInt(id).put((byte) 2).put((byte) 'a').array();

        assertThatThrownBy(() -> AvroSerde.any(registry).deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown to this reader");
    }

    @Test
    void shouldPassTombstonesThrough() {
        AvroSerde<SpecificRecord> serde = AvroSerde.any(registry);

        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }
}
