package io.vda.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.schema.EtcdKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.command.CreateDiskArray;
import io.vda.schema.common.QosLimits;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalClusterExtension.class)
class SchemaRegistryAndSerdeIT {

    private static TestCluster cluster;
    private static Client etcd;
    private static Topics topics;
    private static EtcdKeys keys;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = testCluster;
        etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        topics = new Topics(cluster.prefix());
        keys = new EtcdKeys(cluster.etcdRoot());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            new TopicBootstrapper(admin, (short) 1).createClusterTopics(topics);
        }
    }

    @AfterAll
    static void tearDown() {
        etcd.close();
    }

    private static SchemaRegistry registry() {
        return new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys, Duration.ofSeconds(10)));
    }

    @Test
    void shouldRoundTripRecordsThroughTheBrokerInsideATransaction() {
        SchemaRegistry registry = registry();
        CreateDiskArray command = createDiskArray("db1");

        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "serde-it-" + UUID.randomUUID(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), AvroSerde.any(registry).serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topics.commands(), "disk-array/aborted", createDiskArray("aborted")));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topics.commands(), "disk-array/db1", command));
            producer.commitTransaction();
        }

        List<ConsumerRecord<String, SpecificRecord>> read = readAll(topics.commands(), registry(), 1);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).value()).isEqualTo(command);
        assertThat(read.get(0).key()).isEqualTo("disk-array/db1");
    }

    @Test
    void shouldReadOldRecordsWithTheNewReaderAndRefuseAnIncompatibleVersion() throws Exception {
        // A registry of its own: the subject's history must start here, whatever other tests registered.
        EtcdKeys evolutionKeys = new EtcdKeys(cluster.etcdRoot() + "/evolution");
        SchemaRegistry registry = new CachingSchemaRegistry(
                new EtcdSchemaRegistry(etcd, evolutionKeys, Duration.ofSeconds(10)));
        // Version 1 of a subject: the current CreateDiskArray without its 'description' field.
        Schema current = CreateDiskArray.getClassSchema();
        Schema v1 = withoutField(current, "description");
        String subject = current.getFullName();
        int v1Id = registry.register(subject, v1);
        byte[] v1Bytes = wireFormat(v1Id, v1, v1Record(v1));

        int v2Id = registry.register(subject, current);
        assertThat(v2Id).isNotEqualTo(v1Id);
        assertThat(registry.latest(subject)).hasValueSatisfying(latest -> {
            assertThat(latest.version()).isEqualTo(2);
            assertThat(latest.id()).isEqualTo(v2Id);
        });
        // A third version adding a field with no default cannot read version 1 or 2 data.
        Schema v3 = SchemaBuilder.record(current.getName()).namespace(current.getNamespace()).fields()
                .requiredString("commandId").requiredString("mandatoryNewField").endRecord();
        assertThatThrownBy(() -> registry.register(subject, v3))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining(subject);
        assertThat(registry.latest(subject).orElseThrow().version()).isEqualTo(2);

        // Written with v1, published on the broker, read with this build's class.
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.events(), 0, "disk-array/old", v1Bytes)).get();
        }
        List<ConsumerRecord<String, SpecificRecord>> read = readAll(topics.events(),
                new EtcdSchemaRegistry(etcd, evolutionKeys, Duration.ofSeconds(10)), 1);
        CreateDiskArray old = (CreateDiskArray) read.get(0).value();
        assertThat(old.getDaName()).isEqualTo("old");
        assertThat(old.getDescription()).isEqualTo("");
    }

    @Test
    void shouldGiveConsistentIdsToConcurrentRegistrants() throws Exception {
        List<Schema> schemas = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            schemas.add(SchemaBuilder.record("Concurrent" + i).namespace("io.vda.test").fields()
                    .requiredString("name").endRecord());
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int client = 0; client < 2; client++) {
                // Separate registry objects and etcd clients: two processes as far as etcd can tell.
                Callable<List<Integer>> registrant = () -> {
                    try (Client own = Client.builder().endpoints(cluster.etcdEndpoint()).build()) {
                        EtcdSchemaRegistry r = new EtcdSchemaRegistry(own, keys, Duration.ofSeconds(10));
                        List<Integer> ids = new ArrayList<>();
                        for (Schema s : schemas) {
                            ids.add(r.register(s.getFullName(), s));
                        }
                        return ids;
                    }
                };
                results.add(pool.submit(registrant));
            }
            List<Integer> first = results.get(0).get();
            List<Integer> second = results.get(1).get();
            assertThat(second).isEqualTo(first);
            Set<Integer> distinct = new HashSet<>(first);
            assertThat(distinct).hasSize(schemas.size());
            for (int i = 0; i < schemas.size(); i++) {
                assertThat(registry().schemaById(first.get(i))).isEqualTo(schemas.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static CreateDiskArray createDiskArray(String name) {
        return CreateDiskArray.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setIssuedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setDaName(name)
                .setSizeBytes(1L << 30)
                .setQos(QosLimits.newBuilder().build())
                .build();
    }

    private static Schema withoutField(Schema schema, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static GenericRecord v1Record(Schema v1) {
        GenericRecord qos = new GenericData.Record(v1.getField("qos").schema());
        for (Schema.Field f : qos.getSchema().getFields()) {
            qos.put(f.name(), 0L);
        }
        GenericRecord record = new GenericData.Record(v1);
        record.put("commandId", UUID.randomUUID().toString());
        record.put("issuedAt", 1_700_000_000_000L);
        record.put("daName", "old");
        record.put("sizeBytes", 1L << 30);
        record.put("cntlrCnt", 1);
        record.put("stripCnt", 1);
        record.put("stripSizeKb", 64);
        record.put("qos", qos);
        return record;
    }

    private static byte[] wireFormat(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static List<ConsumerRecord<String, SpecificRecord>> readAll(String topic, SchemaRegistry registry,
            int expected) {
        List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "serde-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), AvroSerde.any(registry).deserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(30);
            while (records.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // One more poll: anything beyond what was expected (say, an aborted record) would show here.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
