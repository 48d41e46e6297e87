package io.vda.allocator;

import static io.vda.allocator.TestCommands.GIB;
import static io.vda.allocator.TestCommands.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.vda.allocator.domain.AllocatorSettings;
import io.vda.allocator.domain.ClusterModel;
import io.vda.allocator.domain.LvstoreGeometry;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.ChildProcess;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.common.EventMetadata;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.CommandStatus;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.model.VirtualDiskPlacement;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.state.VirtualDiskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The allocator as a separate JVM on a real broker, killed with SIGKILL while commands stream in, then restarted:
 * every command must end with exactly one committed outcome and one event, and no capacity may be counted twice.
 */
@ExtendWith(LocalClusterExtension.class)
class AllocatorExactlyOnceIT {

    private static final int DISK_NODES = 6;
    private static final long DISK_BYTES = GIB;
    private static final int RANDOM_COMMANDS = 2000;

    private static TestCluster cluster;
    private static Topics topics;
    private static Client etcd;
    private static SchemaRegistry registry;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = testCluster;
        topics = new Topics(cluster.prefix());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            TopicBootstrapper bootstrapper = new TopicBootstrapper(admin, (short) 1);
            bootstrapper.createClusterTopics(topics);
            // as the gateway does before it publishes a Create{Disk,Controller}Node
            for (String node : nodes()) {
                bootstrapper.createNodeTopic(topics, node);
            }
        }
        etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, new io.vda.schema.EtcdKeys(
                cluster.etcdRoot()), Duration.ofSeconds(10)));
    }

    @AfterAll
    static void tearDown() {
        etcd.close();
    }

    private static List<String> nodes() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < DISK_NODES; i++) {
            nodes.add("dn" + i);
        }
        nodes.add("cn0");
        nodes.add("cn1");
        return nodes;
    }

    @Test
    void shouldGiveEveryCommandExactlyOneOutcomeAndCountNoCapacityTwiceAcrossAKill9() throws Exception {
        // Given a running allocator and a cluster of six disk nodes in three locations
        ChildProcess first = startAllocator(1);
        Map<String, String> sent = new LinkedHashMap<>(); // command id → type
        try (KafkaProducer<String, SpecificRecord> producer = producer();
                KafkaConsumer<String, CommandOutcome> outcomes = consumer(topics.outcomes(),
                        AvroSerde.of(registry, CommandOutcome.class).deserializer())) {
            List<SpecificRecord> setup = new ArrayList<>();
            for (int i = 0; i < DISK_NODES; i++) {
                setup.add(TestCommands.createDiskNode("dn" + i, "rack" + (i % 3)));
                setup.add(TestCommands.createPhysicalDisk("dn" + i, "pd0", DISK_BYTES));
            }
            setup.add(TestCommands.createControllerNode("cn0", ""));
            setup.add(TestCommands.createControllerNode("cn1", ""));
            setup.forEach(c -> send(producer, c, sent));
            Map<String, List<CommandOutcome>> seen = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().untilAsserted(() -> {
                poll(outcomes, seen);
                assertThat(seen).hasSize(sent.size());
            });
            assertThat(seen.values()).allSatisfy(o -> assertThat(o.get(0).getStatus())
                    .as(o.get(0).getMessage()).isEqualTo(CommandStatus.SUCCEEDED));

            // When random creates and deletes stream in and the allocator is killed -9 mid-stream, then restarted
            List<SpecificRecord> random = randomCommands(new Random(42));
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger next = new AtomicInteger();
            Map<String, String> streamed = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
            pacer.scheduleAtFixedRate(() -> {
                for (int i = 0; i < 20 && next.get() < random.size(); i++) {
                    send(producer, random.get(next.getAndIncrement()), streamed);
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            int before = seen.size();
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().untilAsserted(() -> {
                poll(outcomes, seen);
                assertThat(seen.size() - before).isGreaterThanOrEqualTo(RANDOM_COMMANDS / 4);
            });
            first.kill();
            int decidedBeforeKill = seen.size() - before;
            ChildProcess second = startAllocator(2);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> next.get() >= random.size());
                pacer.shutdown();
                producer.flush();
                sent.putAll(streamed);
                assertThat(decidedBeforeKill).as("killed mid-stream").isLessThan(RANDOM_COMMANDS);

                // Then every command has exactly one committed outcome
                await().atMost(Duration.ofSeconds(120)).pollInSameThread().untilAsserted(() -> {
                    poll(outcomes, seen);
                    assertThat(seen).hasSize(sent.size());
                });
                poll(outcomes, seen); // anything late would be a duplicate
                assertThat(seen.keySet()).isEqualTo(sent.keySet());
                assertThat(seen.values()).allSatisfy(o -> assertThat(o).hasSize(1));

                // and exactly one event, and the events, replayed, balance the books
                ClusterModel replayed = new ClusterModel(AllocatorSettings.defaults());
                Map<String, Integer> eventsPerCommand = new HashMap<>();
                try (KafkaConsumer<String, SpecificRecord> events = consumer(topics.events(),
                        AvroSerde.any(registry).deserializer())) {
                    List<ConsumerRecord<String, SpecificRecord>> all = readAll(events);
                    all.sort(java.util.Comparator.comparing(r -> metadata(r.value()).getOccurredAt()));
                    for (ConsumerRecord<String, SpecificRecord> r : all) {
                        eventsPerCommand.merge(metadata(r.value()).getCommandId(), 1, Integer::sum);
                    }
                    // per-resource order is kept per partition; replay in command order instead
                    Map<String, Integer> order = new HashMap<>();
                    int i = 0;
                    for (String id : sent.keySet()) {
                        order.put(id, i++);
                    }
                    all.sort(java.util.Comparator.comparing(r -> order.get(metadata(r.value()).getCommandId())));
                    all.forEach(r -> replayed.evolve(r.value()));
                }
                assertThat(eventsPerCommand.keySet()).isEqualTo(sent.keySet());
                assertThat(eventsPerCommand.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
                long needed = replayed.diskArrays().stream().mapToLong(DiskArray::getPhysicalSizeBytes).sum();
                long allocated = 0;
                for (PhysicalDisk pd : replayed.physicalDisks()) {
                    long used = replayed.allocatedBytes(pd.getDnName(), pd.getPdName());
                    assertThat(used).isLessThanOrEqualTo(pd.getUsableBytes());
                    allocated += used;
                }
                assertThat(allocated).isEqualTo(needed);

                // and the nodes' desired state holds exactly the live arrays' virtual disks
                Map<String, Long> fromNodeTopics = new HashMap<>();
                for (int n = 0; n < DISK_NODES; n++) {
                    for (SpecificRecord spec : nodeState("dn" + n).values()) {
                        if (spec instanceof VirtualDiskSpec vd) {
                            fromNodeTopics.merge("dn" + n + "/" + vd.getPdName(), vd.getSizeBytes(), Long::sum);
                        }
                    }
                }
                Map<String, Long> fromEvents = new HashMap<>();
                for (DiskArray da : replayed.diskArrays()) {
                    for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
                        fromEvents.merge(vd.getDnName() + "/" + vd.getPdName(), vd.getSizeBytes(), Long::sum);
                    }
                }
                assertThat(fromNodeTopics).isEqualTo(fromEvents);

                // and the restarted allocator's own books agree: with every array deleted, one array that needs
                // every byte of every disk fits
                Map<String, String> cleanup = new LinkedHashMap<>();
                for (DiskArray da : replayed.diskArrays()) {
                    send(producer, TestCommands.deleteDiskArray(da.getDaName()), cleanup);
                }
                long usable = LvstoreGeometry.usableBytes(DISK_BYTES);
                long everything = LvstoreGeometry.dataClusters(DISK_NODES * usable) * LvstoreGeometry.CLUSTER_BYTES;
                assertThat(LvstoreGeometry.virtualDiskBytes(everything, DISK_NODES, 64)).isEqualTo(usable);
                var fill = TestCommands.createDiskArray("everything", everything, DISK_NODES, 2);
                send(producer, fill, cleanup);
                producer.flush();
                await().atMost(Duration.ofSeconds(60)).pollInSameThread().untilAsserted(() -> {
                    poll(outcomes, seen);
                    assertThat(seen).containsKeys(cleanup.keySet().toArray(String[]::new));
                });
                CommandOutcome filled = seen.get(fill.getCommandId()).get(0);
                assertThat(filled.getStatus()).as(filled.getMessage()).isEqualTo(CommandStatus.SUCCEEDED);
                System.out.printf("Allocator kill -9 IT: %d commands, %d decided before the kill, all with one"
                        + " outcome; %d arrays live at the end%n", sent.size(), decidedBeforeKill,
                        replayed.diskArrays().size());

                // Throughput through the broker, for docs/allocator.md: a burst of creates and deletes
                Map<String, String> burst = new LinkedHashMap<>();
                send(producer, TestCommands.deleteDiskArray("everything"), burst);
                long started = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    send(producer, TestCommands.createDiskArray("burst" + i, 64 * MIB, 2, 2), burst);
                    send(producer, TestCommands.deleteDiskArray("burst" + i), burst);
                }
                producer.flush();
                await().atMost(Duration.ofSeconds(120)).pollInSameThread().untilAsserted(() -> {
                    poll(outcomes, seen);
                    assertThat(seen).containsKeys(burst.keySet().toArray(String[]::new));
                });
                double seconds = (System.nanoTime() - started) / 1e9;
                assertThat(burst.keySet()).allSatisfy(id -> assertThat(seen.get(id).get(0).getStatus())
                        .isEqualTo(CommandStatus.SUCCEEDED));
                System.out.printf(java.util.Locale.ROOT, "Allocator burst: %d commands decided and committed in"
                        + " %.1f s = %.0f commands/s end to end%n", burst.size(), seconds, burst.size() / seconds);
            } finally {
                pacer.shutdownNow();
                second.stop(Duration.ofSeconds(20));
            }
        } finally {
            first.kill();
        }
    }

    private static List<SpecificRecord> randomCommands(Random random) {
        List<SpecificRecord> commands = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < RANDOM_COMMANDS; i++) {
            if (names.isEmpty() || random.nextInt(100) < 55) {
                String name = "da" + i;
                names.add(name);
                commands.add(TestCommands.createDiskArray(name, (16 + random.nextInt(300)) * MIB,
                        1 + random.nextInt(3), 1 + random.nextInt(2)));
            } else {
                commands.add(TestCommands.deleteDiskArray(names.remove(random.nextInt(names.size()))));
            }
        }
        return commands;
    }

    private ChildProcess startAllocator(int run) {
        List<String> args = List.of(
                AllocatorConfig.KAFKA_BOOTSTRAP.name() + "=" + cluster.bootstrapServers(),
                AllocatorConfig.TOPIC_PREFIX.name() + "=" + topics.prefix(),
                AllocatorConfig.ETCD_ENDPOINTS.name() + "=" + cluster.etcdEndpoint(),
                AllocatorConfig.ETCD_ROOT.name() + "=" + cluster.etcdRoot(),
                AllocatorConfig.APP_ID.name() + "=" + topics.prefix() + "-allocator",
                AllocatorConfig.STATE_DIR.name() + "=" + cluster.workDir().resolve("allocator-state"),
                AllocatorConfig.SESSION_TIMEOUT.name() + "=6s");
        return ChildProcess.start("allocator-" + run, ChildProcess.javaCommand(
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                AllocatorMain.class.getName(), args), cluster.workDir().resolve("allocator-" + run + ".log"));
    }

    private static void send(KafkaProducer<String, SpecificRecord> producer, SpecificRecord command,
            Map<String, String> sent) {
        String id = io.vda.allocator.domain.Commands.commandId(command).orElseThrow();
        sent.put(id, command.getSchema().getName());
        producer.send(new ProducerRecord<>(topics.commands(), TestCommands.keyOf(command), command));
    }

    private static KafkaProducer<String, SpecificRecord> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), AvroSerde.any(registry).serializer());
    }

    private static <V> KafkaConsumer<String, V> consumer(String topic,
            org.apache.kafka.common.serialization.Deserializer<V> values) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), values);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static void poll(KafkaConsumer<String, CommandOutcome> consumer, Map<String, List<CommandOutcome>> seen) {
        for (ConsumerRecord<String, CommandOutcome> r : consumer.poll(Duration.ofMillis(200))) {
            seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
    }

    /** Everything committed on the topic now (to its end offsets). */
    private static <V> List<ConsumerRecord<String, V>> readAll(KafkaConsumer<String, V> consumer) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        List<ConsumerRecord<String, V>> all = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        });
        return all;
    }

    private static Map<String, SpecificRecord> nodeState(String node) {
        Map<String, SpecificRecord> state = new HashMap<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = consumer(topics.node(node),
                AvroSerde.any(registry).deserializer())) {
            for (ConsumerRecord<String, SpecificRecord> r : readAll(consumer)) {
                if (r.value() == null) {
                    state.remove(r.key());
                } else {
                    state.put(r.key(), r.value());
                }
            }
        }
        return state;
    }

    private static EventMetadata metadata(SpecificRecord event) {
        return (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
    }
}
