package io.vda.projections;

import static io.vda.projections.TestEvents.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.projections.batch.Batch;
import io.vda.projections.kafka.DeadLetters;
import io.vda.schema.EtcdKeys;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.RejectReason;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.model.DiskArray;
import io.vda.schema.status.ObjectState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The projection against the real broker and etcd, in this JVM; tests run in order on one cluster prefix. */
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProjectionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ProjectionCluster cluster;
    private static EtcdKeys keys;
    private static ProjectionCluster.Running projection;

    private final DiskArray db1 = TestEvents.diskArray("db1", List.of("dn1", "dn2"), List.of("cn1"), 1);

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = new ProjectionCluster(testCluster.bootstrapServers(), testCluster.etcdEndpoint(),
                testCluster.prefix(), testCluster.etcdRoot());
        keys = cluster.keys();
        projection = cluster.startInProcess(cluster.projectionConfig(), ProjectionHooks.NONE);
    }

    @AfterAll
    static void tearDown() {
        if (projection != null) {
            projection.close();
        }
        cluster.close();
    }

    private static String state(String key) {
        JsonNode document = cluster.document(key);
        return document == null ? null : document.get("state").asText();
    }

    @Test
    @Order(1)
    void shouldProjectEventsAndOutcomesIntoDocuments() {
        var created = TestEvents.diskArrayCreated(db1, at(10));
        cluster.produce(
                Workload.event(ResourceKind.DISK_NODE, "dn1", TestEvents.diskNodeCreated("dn1", at(1))),
                Workload.event(ResourceKind.DISK_NODE, "dn2", TestEvents.diskNodeCreated("dn2", at(1))),
                Workload.event(ResourceKind.PHYSICAL_DISK, "dn1/pd0", TestEvents.physicalDiskCreated("dn1", "pd0", at(2))),
                Workload.event(ResourceKind.CONTROLLER_NODE, "cn1", TestEvents.controllerNodeCreated("cn1", at(1))),
                Workload.event(ResourceKind.DISK_ARRAY, "db1", created),
                Workload.outcome(TestEvents.succeeded(created.getMetadata().getCommandId(), "CreateDiskArray",
                        ResourceKind.DISK_ARRAY, "db1", at(10))),
                Workload.outcome(TestEvents.rejected("c-refused", "CreateDiskArray", ResourceKind.DISK_ARRAY, "db9",
                        RejectReason.INSUFFICIENT_CAPACITY, "needs 4 GiB, 1 GiB free", at(11))));

        await().atMost(TIMEOUT).until(() -> cluster.document(keys.diskArray("db1")) != null
                && cluster.document(keys.commandOutcome("c-refused")) != null);

        JsonNode da = cluster.document(keys.diskArray("db1"));
        assertThat(da.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(da.get("kind").asText()).isEqualTo("DISK_ARRAY");
        assertThat(da.get("state").asText()).isEqualTo("creating");
        assertThat(da.path("spec").path("virtualDisks").get(1).get("dnName").asText()).isEqualTo("dn2");
        assertThat(da.get("lastCommandId").asText()).isEqualTo(created.getMetadata().getCommandId());
        assertThat(da.get("updatedAt").asText()).isEqualTo(at(10).toString());
        JsonNode refused = cluster.document(keys.commandOutcome("c-refused"));
        assertThat(refused.get("status").asText()).isEqualTo("REJECTED");
        assertThat(refused.get("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");
        JsonNode succeeded = cluster.document(keys.commandOutcome(created.getMetadata().getCommandId()));
        assertThat(succeeded.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(succeeded.get("resourceName").asText()).isEqualTo("db1");
        await().atMost(TIMEOUT).until(() -> cluster.document(keys.physicalDisk("dn1", "pd0")) != null
                && cluster.document(keys.controllerNode("cn1")) != null);
        assertThat(cluster.document(keys.physicalDisk("dn1", "pd0")).get("name").asText()).isEqualTo("dn1/pd0");
    }

    @Test
    @Order(2)
    void shouldMoveADiskArrayFromCreatingToReadyToDegradedOnStatusReports() {
        cluster.produce(Workload.event(ResourceKind.EXPORTER, "db1/exp1", TestEvents.exporterCreated("db1", "exp1",
                at(12))));
        TestEvents.allOk(db1, List.of("exp1"), at(20)).forEach(s -> cluster.produce(Workload.status(s)));

        await().atMost(TIMEOUT).until(() -> "ready".equals(state(keys.diskArray("db1"))));
        assertThat(state(keys.exporter("db1", "exp1"))).isEqualTo("ready");

        cluster.produce(Workload.status(TestEvents.status("dn2", RecordKeys.virtualDiskObject("db1", 1),
                ResourceKind.DISK_ARRAY, "db1", ObjectState.ERROR, "bdev_lvol_create failed: No space left on device",
                1, at(30))));

        await().atMost(TIMEOUT).until(() -> "degraded".equals(state(keys.diskArray("db1"))));
        assertThat(cluster.document(keys.diskArray("db1")).path("status").path("errors").get(0).asText())
                .isEqualTo("vd/db1/1 on dn2: bdev_lvol_create failed: No space left on device");

        cluster.produce(Workload.event(ResourceKind.DISK_NODE, "dn1",
                TestEvents.nodeFailed("dn1", NodeKind.DISK_NODE, List.of("db1"), at(40))));
        await().atMost(TIMEOUT).until(() -> cluster.document(keys.diskArray("db1")).path("status").path("errors")
                .size() == 2);
        assertThat(cluster.document(keys.diskArray("db1")).path("status").path("errors").toString())
                .contains("raid0 has no redundancy");
    }

    @Test
    @Order(3)
    void shouldParkAnUnreadableRecordOnTheDeadLetterTopicAndGoOn() {
        cluster.produceRaw(cluster.topics().events(), "disk-array/garbage", "not avro".getBytes(StandardCharsets.UTF_8));
        cluster.produce(Workload.event(ResourceKind.DISK_NODE, "dn3", TestEvents.diskNodeCreated("dn3", at(50))));

        await().atMost(TIMEOUT).until(() -> cluster.document(keys.diskNode("dn3")) != null);
        cluster.awaitCaughtUp(TIMEOUT);

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.projectionConfig().kafkaBootstrap()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition dlq = new TopicPartition(cluster.topics().deadLetter(), 0);
            consumer.assign(List.of(dlq));
            consumer.seekToBeginning(List.of(dlq));
            List<ConsumerRecord<byte[], byte[]>> parked = new ArrayList<>();
            await().atMost(TIMEOUT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(parked::add);
                return !parked.isEmpty();
            });
            ConsumerRecord<byte[], byte[]> record = parked.get(0);
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(new String(record.headers().lastHeader(DeadLetters.ORIGIN_TOPIC).value(),
                    StandardCharsets.UTF_8)).isEqualTo(cluster.topics().events());
            assertThat(record.headers().lastHeader(DeadLetters.ORIGIN_OFFSET)).isNotNull();
            assertThat(new String(record.headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8))
                    .contains("not in the Avro wire format");
        }
    }

    @Test
    @Order(4)
    void shouldProduceTheLiveDocumentsAgainOnRebuild() {
        cluster.produce(Workload.generate(3_000));
        cluster.awaitCaughtUp(TIMEOUT);
        Map<String, JsonNode> live = cluster.readableDocuments();
        projection.close();

        projection = cluster.startInProcess(cluster.projectionConfig().withRebuild(true), ProjectionHooks.NONE);
        await().atMost(TIMEOUT).until(() -> cluster.storedOffsets().isEmpty() || !cluster.caughtUp());
        cluster.awaitCaughtUp(TIMEOUT);

        Map<String, JsonNode> rebuilt = cluster.readableDocuments();
        assertThat(rebuilt.keySet()).isEqualTo(live.keySet());
        assertThat(rebuilt).isEqualTo(live);
        assertThat(live).hasSizeGreaterThan(500);
    }

    @Test
    @Order(5)
    void shouldApplyEachRecordOnceWhenCrashingAfterTheEtcdWriteBeforeTheKafkaCommit() {
        projection.close();
        // The records each run committed to etcd, as [first, next) offset ranges per partition.
        Map<Batch.Partition, List<long[]>> ranges = Collections.synchronizedMap(new HashMap<>());
        ProjectionHooks recording = new ProjectionHooks() {
            @Override
            public void afterEtcdCommit(Batch batch) {
                batch.firstOffsets().forEach((p, first) -> ranges.computeIfAbsent(p, k -> new ArrayList<>())
                        .add(new long[] {first, batch.nextOffsets().get(p)}));
            }
        };
        AtomicInteger commits = new AtomicInteger();
        ProjectionHooks crashAfterThirdCommit = new ProjectionHooks() {
            @Override
            public void afterEtcdCommit(Batch batch) {
                recording.afterEtcdCommit(batch);
                if (commits.incrementAndGet() == 3) {
                    throw new IllegalStateException("injected fault: crash after the etcd transaction");
                }
            }
        };
        Map<TopicPartition, Long> before = cluster.storedOffsets();
        cluster.produce(Workload.generate(6_000).subList(3_000, 6_000));

        // One transaction in flight, so none is still on its way when the fault strikes (that would be applied in
        // etcd but never reported to the recording hook).
        Map<String, String> oneInFlight = cluster.projectionVariables();
        oneInFlight.put("VDA_PROJECTIONS_TXN_PIPELINE", "1");
        ProjectionCluster.Running crashing = cluster.startInProcess(ProjectionsConfig.fromMap(oneInFlight),
                crashAfterThirdCommit);
        await().atMost(TIMEOUT).until(crashing::ended);
        assertThat(crashing.failure()).singleElement().satisfies(t -> assertThat(t).hasMessageContaining("injected"));
        assertThat(cluster.caughtUp()).isFalse();

        projection = cluster.startInProcess(ProjectionsConfig.fromMap(oneInFlight), recording);
        cluster.awaitCaughtUp(TIMEOUT);
        projection.close(); // a clean stop reports every transaction still in flight to the hook

        Map<TopicPartition, Long> end = cluster.endOffsets();
        ranges.forEach((partition, list) -> {
            list.sort((a, b) -> Long.compare(a[0], b[0]));
            long expected = before.getOrDefault(new TopicPartition(partition.topic(), partition.partition()), 0L);
            for (long[] range : list) {
                assertThat(range[0]).as("next batch of %s starts where the last ended", partition).isEqualTo(expected);
                expected = range[1];
            }
            assertThat(expected).isEqualTo(end.get(new TopicPartition(partition.topic(), partition.partition())));
        });
        assertThat(ranges).isNotEmpty();

        Map<String, JsonNode> live = cluster.readableDocuments();
        projection = cluster.startInProcess(cluster.projectionConfig().withRebuild(true), ProjectionHooks.NONE);
        await().atMost(TIMEOUT).until(() -> !cluster.caughtUp());
        cluster.awaitCaughtUp(TIMEOUT);
        assertThat(cluster.readableDocuments()).isEqualTo(live);
    }
}
