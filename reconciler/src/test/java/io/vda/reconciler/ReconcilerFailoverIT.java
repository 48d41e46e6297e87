package io.vda.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.ChildProcess;
import io.vda.reconciler.failover.FailoverPlanner;
import io.vda.schema.EtcdKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.command.FailoverController;
import io.vda.schema.command.MarkNodeFailed;
import io.vda.schema.command.MarkNodeRecovered;
import io.vda.schema.common.NodeKind;
import io.vda.schema.config.CommonSettings;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.status.Heartbeat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two reconciler processes, one etcd election, heartbeats from two controller nodes: no false failure under steady
 * heartbeats; a silent primary is declared failed and its disk array failed over; with the leader killed (-9) the
 * standby takes over and declares the old node recovered when it heartbeats again, with no second failover.
 */
@ExtendWith(LocalClusterExtension.class)
class ReconcilerFailoverIT {

    private static TestCluster cluster;
    private static Topics topics;
    private static EtcdKeys keys;
    private static Client etcd;
    private static SchemaRegistry registry;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = testCluster;
        topics = new Topics(cluster.prefix());
        keys = new EtcdKeys(cluster.etcdRoot());
        etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys, Duration.ofSeconds(10)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            new TopicBootstrapper(admin, (short) 1).createClusterTopics(topics);
        }
    }

    @AfterAll
    static void tearDown() {
        etcd.close();
    }

    @Test
    void shouldFailOverOnceAndHandLeadershipToTheStandby() throws Exception {
        // Given the projections' view: cn1 primary and cn2 secondary of db1, and both heartbeating every 100 ms.
        putDocument(keys.controllerNode("cn1"), "{\"schemaVersion\":1,\"kind\":\"CONTROLLER_NODE\",\"name\":\"cn1\",\"state\":\"ready\"}");
        putDocument(keys.controllerNode("cn2"), "{\"schemaVersion\":1,\"kind\":\"CONTROLLER_NODE\",\"name\":\"cn2\",\"state\":\"ready\"}");
        putDocument(keys.diskArray("db1"), diskArrayDocument("cn1", "cn2", 1));
        Set<String> beating = ConcurrentHashMap.newKeySet();
        beating.addAll(List.of("cn1", "cn2"));
        List<SpecificRecord> commands = new CopyOnWriteArrayList<>();
        ScheduledExecutorService background = Executors.newScheduledThreadPool(2);
        List<ChildProcess> reconcilers = new ArrayList<>();
        KafkaProducer<String, Heartbeat> heartbeatProducer = heartbeatProducer();
        KafkaConsumer<String, SpecificRecord> commandConsumer = commandConsumer();
        try {
            AtomicLong sequence = new AtomicLong();
            background.scheduleAtFixedRate(() -> beating.forEach(node -> heartbeatProducer.send(new ProducerRecord<>(
                    topics.heartbeats(), node, Heartbeat.newBuilder().setNodeName(node)
                            .setNodeKind(NodeKind.CONTROLLER_NODE).setIncarnation(node + "-1")
                            .setSequence(sequence.incrementAndGet()).setSentAt(Instant.now()).build()))),
                    0, 100, TimeUnit.MILLISECONDS);
            commandConsumer.subscribe(List.of(topics.commands()));
            background.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    commandConsumer.poll(Duration.ofMillis(100)).forEach(r -> commands.add(r.value()));
                }
            });

            reconcilers.add(startReconciler("rec-a"));
            reconcilers.add(startReconciler("rec-b"));
            String leader = awaitLeader(null);

            // When everyone heartbeats for a while: no decision at all.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> commands.isEmpty());

            // When the primary's node goes silent: it is declared failed and db1 is failed over, once.
            beating.remove("cn1");
            await().atMost(Duration.ofSeconds(10)).until(() -> count(commands, FailoverController.class) >= 1);
            assertThat(ofType(commands, MarkNodeFailed.class)).singleElement()
                    .satisfies(c -> assertThat(c.getNodeName()).isEqualTo("cn1"));
            FailoverController failover = ofType(commands, FailoverController.class).get(0);
            assertThat(failover.getDaName()).isEqualTo("db1");
            assertThat(failover.getFailedCnName()).isEqualTo("cn1");
            assertThat(failover.getEpoch()).isEqualTo(1);
            assertThat(failover.getCommandId()).isEqualTo(FailoverPlanner.commandId("db1", 1));

            // The allocator and projections (played here) promote cn2 at epoch 2 and mark cn1 failed.
            putDocument(keys.diskArray("db1"), diskArrayDocument("cn2", "cn1", 2));
            putDocument(keys.controllerNode("cn1"), "{\"schemaVersion\":1,\"kind\":\"CONTROLLER_NODE\",\"name\":\"cn1\",\"state\":\"failed\"}");

            // When the leader dies (-9) and cn1 comes back: the standby leads and declares cn1 recovered.
            ChildProcess leaderProcess = reconcilers.stream().filter(p -> p.name().equals(leader)).findFirst()
                    .orElseThrow();
            leaderProcess.kill();
            beating.add("cn1");
            String standby = awaitLeader(leader);
            assertThat(standby).isNotEqualTo(leader);
            await().atMost(Duration.ofSeconds(15)).until(() -> count(commands, MarkNodeRecovered.class) == 1);
            assertThat(ofType(commands, MarkNodeRecovered.class).get(0).getNodeName()).isEqualTo("cn1");

            // Then there is still exactly one failover decision, and cn2 was never declared failed.
            assertThat(count(commands, FailoverController.class)).isEqualTo(1);
            assertThat(ofType(commands, MarkNodeFailed.class)).extracting(MarkNodeFailed::getNodeName)
                    .containsExactly("cn1");
        } finally {
            background.shutdownNow();
            background.awaitTermination(10, TimeUnit.SECONDS);
            reconcilers.forEach(ChildProcess::kill);
            heartbeatProducer.close();
            commandConsumer.close();
        }
    }

    private ChildProcess startReconciler(String id) {
        Map<String, String> env = new java.util.HashMap<>(CommonSettings.environment(cluster.bootstrapServers(),
                cluster.prefix(), cluster.etcdEndpoint(), cluster.etcdRoot()));
        env.putAll(Map.of("VDA_RECONCILER_ID", id, "VDA_HEARTBEAT_GRACE", "1s", "VDA_LEADER_TTL", "2s"));
        return ChildProcess.start(id,
                ChildProcess.javaCommand(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                        ReconcilerMain.class.getName(), List.of()),
                env,
                cluster.workDir().resolve("logs").resolve(cluster.prefix() + "-" + id + ".log"));
    }

    private String awaitLeader(String notThisOne) {
        String[] leader = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var kvs = etcd.getKVClient().get(ByteSequence.from(keys.reconcilerLeader(), StandardCharsets.UTF_8))
                    .get(5, TimeUnit.SECONDS).getKvs();
            if (kvs.isEmpty()) {
                return false;
            }
            leader[0] = kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
            return !leader[0].equals(notThisOne);
        });
        return leader[0];
    }

    private static String diskArrayDocument(String primary, String secondary, long epoch) {
        return "{\"schemaVersion\":1,\"kind\":\"DISK_ARRAY\",\"name\":\"db1\",\"state\":\"ready\",\"spec\":{"
                + "\"daName\":\"db1\",\"epoch\":" + epoch + ",\"controllers\":["
                + "{\"cnName\":\"" + primary + "\",\"role\":\"PRIMARY\"},"
                + "{\"cnName\":\"" + secondary + "\",\"role\":\"SECONDARY\"}]}}";
    }

    private static void putDocument(String key, String json) throws Exception {
        etcd.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8),
                ByteSequence.from(json, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    }

    private static <T> List<T> ofType(List<SpecificRecord> records, Class<T> type) {
        return records.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static long count(List<SpecificRecord> records, Class<?> type) {
        return records.stream().filter(type::isInstance).count();
    }

    private static KafkaProducer<String, Heartbeat> heartbeatProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), AvroSerde.of(registry, Heartbeat.class).serializer());
    }

    private static KafkaConsumer<String, SpecificRecord> commandConsumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reconciler-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), AvroSerde.any(registry).deserializer());
    }
}
