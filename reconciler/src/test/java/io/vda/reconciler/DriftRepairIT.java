package io.vda.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vda.agent.NodeAgent;
import io.vda.agent.NodeAgentConfig;
import io.vda.agent.spdk.SpdkClient;
import io.vda.allocator.AllocatorConfig;
import io.vda.allocator.topology.AllocatorTopology;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.Ports;
import io.vda.infra.spdk.SpdkEmulatorProcess;
import io.vda.projections.ProjectionHooks;
import io.vda.projections.ProjectionService;
import io.vda.projections.ProjectionsConfig;
import io.vda.reconciler.leader.LeaderElection;
import io.vda.schema.EtcdKeys;
import io.vda.schema.RecordKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.command.CreateControllerNode;
import io.vda.schema.command.CreateDiskArray;
import io.vda.schema.command.CreateDiskNode;
import io.vda.schema.command.CreateExporter;
import io.vda.schema.command.CreatePhysicalDisk;
import io.vda.schema.command.RedriveNode;
import io.vda.schema.common.BdevType;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.QosLimits;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.config.CommonSettings;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.CommandStatus;
import io.vda.schema.event.NodeRedriven;
import io.vda.schema.json.AvroJson;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.status.Heartbeat;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The drift repair loop end to end, in one JVM on a real broker and etcd: allocator, projections, a node agent per
 * node with its SPDK emulator in its own process, and the reconciler with a short drift bound. A desired-state record
 * is lost the way real drift happens (a tombstone straight onto the node topic): the agent tears the object down, the
 * projection shows it missing, the reconciler re-drives the node, the allocator re-emits its desired state and the
 * object comes back.
 */
@ExtendWith(LocalClusterExtension.class)
class DriftRepairIT {

    private static final long MIB = 1024L * 1024;
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final String HOST_NQN = "nqn.2024-01.io.example:host1";

    private static TestCluster cluster;
    private static Topics topics;
    private static EtcdKeys keys;
    private static Client etcd;
    private static SchemaRegistry registry;
    private static Map<String, String> common;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static final List<SpecificRecord> commands = new CopyOnWriteArrayList<>();
    private static final List<SpecificRecord> events = new CopyOnWriteArrayList<>();
    private static volatile boolean observing = true;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = testCluster;
        topics = new Topics(cluster.prefix());
        keys = new EtcdKeys(cluster.etcdRoot());
        etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys, Duration.ofSeconds(10)));
        common = CommonSettings.environment(cluster.bootstrapServers(), cluster.prefix(), cluster.etcdEndpoint(),
                cluster.etcdRoot());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            TopicBootstrapper bootstrapper = new TopicBootstrapper(admin, (short) 1);
            bootstrapper.createClusterTopics(topics);
            bootstrapper.createNodeTopic(topics, "dn1");
            bootstrapper.createNodeTopic(topics, "cn1");
        }
    }

    @AfterAll
    static void tearDown() {
        observing = false;
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }
        etcd.close();
    }

    @Test
    void shouldRedriveANodeWhoseObjectWentMissingAndRebuildIt() throws Exception {
        // Given the control plane, a disk node and a controller node with their emulated targets and agents
        SpdkEmulatorProcess dnTarget = emulator("dn1", "127.0.0.2");
        SpdkEmulatorProcess cnTarget = emulator("cn1", "127.0.0.3");
        int dnPort = Ports.freeLoopbackPort();
        int cnPort = Ports.freeLoopbackPort();
        startAllocator();
        startProjections();
        startObserver();
        agent("dn1", "disk", dnTarget, "127.0.0.2", dnPort);
        agent("cn1", "controller", cnTarget, "127.0.0.3", cnPort);
        SpdkClient cn1 = SpdkClient.connect(cnTarget.socketPath(), Duration.ofSeconds(10));
        running.add(cn1);
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), AvroSerde.any(registry).serializer());
        running.add(producer);

        // and a disk array with an exporter, ready
        Instant t = Instant.now();
        send(producer, ResourceKind.DISK_NODE, "dn1", CreateDiskNode.newBuilder().setCommandId(id()).setIssuedAt(t)
                .setDnName("dn1").setNvmfListener(listener("127.0.0.2", dnPort)).build());
        send(producer, ResourceKind.PHYSICAL_DISK, "dn1/pd1", CreatePhysicalDisk.newBuilder().setCommandId(id())
                .setIssuedAt(t).setDnName("dn1").setPdName("pd1")
                .setBacking(new PhysicalDiskBacking(BdevType.MALLOC, 256 * MIB, null, null)).build());
        send(producer, ResourceKind.CONTROLLER_NODE, "cn1", CreateControllerNode.newBuilder().setCommandId(id())
                .setIssuedAt(t).setCnName("cn1").setNvmfListener(listener("127.0.0.3", cnPort)).build());
        send(producer, ResourceKind.DISK_ARRAY, "db1", CreateDiskArray.newBuilder().setCommandId(id()).setIssuedAt(t)
                .setDaName("db1").setSizeBytes(64 * MIB).setCntlrCnt(1).setStripCnt(1)
                .setQos(new QosLimits(0L, 0L, 0L, 0L)).build());
        send(producer, ResourceKind.EXPORTER, "db1/exp1", CreateExporter.newBuilder().setCommandId(id())
                .setIssuedAt(t).setDaName("db1").setExpName("exp1").setHostNqns(List.of(HOST_NQN)).build());
        awaitDiskArrayState("ready");
        String exporterNqn = NvmeNames.exporterNqn("db1", "exp1");
        assertThat(cn1.getSubsystem(exporterNqn)).isPresent();

        // When the reconciler leads with a short drift bound, and everything is OK: no re-drive
        startReconciler();
        await().during(BOUND.multipliedBy(2)).atMost(BOUND.multipliedBy(3)).until(() -> redrives().isEmpty());

        // When the exporter's desired-state record on cn1 is lost (a tombstone straight onto the node topic)
        producer.send(new ProducerRecord<>(topics.node("cn1"), RecordKeys.exporterObject("db1", "exp1"), null))
                .get(10, TimeUnit.SECONDS);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
                .until(() -> cn1.getSubsystem(exporterNqn).isEmpty());

        // Then the reconciler re-drives cn1 naming the object, and the allocator records that it did
        await().atMost(CONVERGE).until(() -> !redrives().isEmpty());
        RedriveNode redrive = redrives().get(0);
        assertThat(redrive.getNodeName()).isEqualTo("cn1");
        assertThat(redrive.getNodeKind()).isEqualTo(NodeKind.CONTROLLER_NODE);
        assertThat(redrive.getObjectKeys()).containsExactly("exp/db1/exp1");
        assertThat(redrive.getReason()).contains("exp/db1/exp1 missing");
        await().atMost(CONVERGE).until(() -> events.stream().anyMatch(NodeRedriven.class::isInstance));
        NodeRedriven redriven = events.stream().filter(NodeRedriven.class::isInstance).map(NodeRedriven.class::cast)
                .findFirst().orElseThrow();
        assertThat(redriven.getNodeName()).isEqualTo("cn1");
        assertThat(redriven.getObjectKeys()).containsExactly("exp/db1/exp1");
        assertThat(redriven.getRecordsEmitted()).isEqualTo(3); // node, cntlr/db1, exp/db1/exp1
        assertThat(redriven.getMetadata().getCommandId()).isEqualTo(redrive.getCommandId());

        // and the exporter is rebuilt on the target, the disk array is ready again, the node's document shows it
        await().atMost(CONVERGE).until(() -> cn1.getSubsystem(exporterNqn).isPresent());
        awaitDiskArrayState("ready");
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(document(keys.controllerNode("cn1"))
                .path("lastRedrive").path("objectKeys").path(0).asText()).isEqualTo("exp/db1/exp1"));

        // and no second re-drive while everything is OK
        await().during(BOUND.multipliedBy(3)).atMost(BOUND.multipliedBy(4)).until(() -> redrives().size() == 1);
        assertThat(events.stream().filter(NodeRedriven.class::isInstance)).hasSize(1);
    }

    // ------------------------------------------------------------------ the parts

    private static SpdkEmulatorProcess emulator(String name, String address) throws Exception {
        SpdkEmulatorProcess process = SpdkEmulatorProcess.start(cluster.workDir().resolve(name + ".sock"), address,
                cluster.workDir().resolve(name + "-spdk.log"), Duration.ofSeconds(60));
        running.add(process);
        return process;
    }

    private static void startAllocator() {
        Map<String, String> env = new HashMap<>(common);
        env.put("VDA_ALLOCATOR_APP_ID", cluster.prefix() + "-allocator");
        env.put("VDA_ALLOCATOR_STATE_DIR", cluster.workDir().resolve("allocator-state").toString());
        AllocatorConfig config = AllocatorConfig.fromMap(env);
        KafkaStreams allocator = new KafkaStreams(AllocatorTopology.build(config, registry),
                AllocatorTopology.streamsProperties(config));
        allocator.start();
        running.add(() -> allocator.close(Duration.ofSeconds(10)));
    }

    private static void startProjections() {
        Map<String, String> env = new HashMap<>(common);
        env.put("VDA_PROJECTIONS_GROUP_ID", cluster.prefix() + "-projections");
        ProjectionService projections = new ProjectionService(ProjectionsConfig.fromMap(env), ProjectionHooks.NONE);
        Thread thread = new Thread(projections, "projections");
        thread.start();
        running.add(() -> {
            projections.stop();
            thread.join(15_000);
        });
    }

    private static void agent(String node, String role, SpdkEmulatorProcess target, String address, int port) {
        Map<String, String> env = new HashMap<>(common);
        env.put("VDA_NODE_NAME", node);
        env.put("VDA_NODE_ROLE", role);
        env.put("VDA_SPDK_SOCKET", target.socketPath().toString());
        env.put("VDA_NVMF_LISTENER", "tcp:" + address + ":" + port);
        env.put("VDA_RECONCILE_PERIOD", "1s");
        env.put("VDA_STATUS_REFRESH", "5s");
        env.put("VDA_SPDK_TIMEOUT", "5s");
        NodeAgent agent = new NodeAgent(NodeAgentConfig.fromEnv(env)).start();
        running.add(agent::close);
    }

    private static void startReconciler() {
        Map<String, String> env = new HashMap<>(common);
        env.put("VDA_RECONCILER_ID", "drift-it");
        env.put("VDA_DRIFT_BOUND", BOUND.toMillis() + "ms");
        env.put("VDA_DIRECTORY_REFRESH", "250ms");
        ReconcilerConfig config = ReconcilerConfig.fromEnv(env);
        KafkaConsumer<String, Heartbeat> heartbeats = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20),
                new StringDeserializer(), AvroSerde.of(registry, Heartbeat.class).deserializer());
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), AvroSerde.any(registry).serializer());
        LeaderElection election = new LeaderElection(etcd, keys.reconcilerLeader(), config.candidateId(),
                config.leaderTtl());
        Reconciler reconciler = new Reconciler(config, topics, heartbeats, producer, new ClusterDirectory(etcd, keys),
                election, Clock.systemUTC());
        Thread thread = new Thread(() -> {
            try {
                reconciler.run();
            } finally {
                election.close();
                heartbeats.close();
                producer.close();
            }
        }, "reconciler");
        thread.start();
        running.add(() -> {
            reconciler.close();
            heartbeats.wakeup();
            thread.join(10_000);
        });
    }

    /** Collects every command and event from the start. */
    private static void startObserver() {
        KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "drift-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50),
                new StringDeserializer(), AvroSerde.any(registry).deserializer());
        consumer.subscribe(List.of(topics.commands(), topics.events(), topics.outcomes()));
        Thread thread = new Thread(() -> {
            while (observing) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (r.topic().equals(topics.commands())) {
                        commands.add(r.value());
                    } else if (r.topic().equals(topics.outcomes())) {
                        CommandOutcome outcome = (CommandOutcome) r.value();
                        if (outcome != null && outcome.getStatus() != CommandStatus.SUCCEEDED) {
                            System.err.println("command " + outcome.getCommandType() + " " + outcome.getStatus()
                                    + ": " + outcome.getMessage());
                        }
                    } else {
                        events.add(r.value());
                    }
                });
            }
            consumer.close();
        }, "drift-it-observer");
        thread.start();
        running.add(() -> {
            observing = false;
            thread.join(5_000);
        });
    }

    // ------------------------------------------------------------------ helpers

    private static List<RedriveNode> redrives() {
        return commands.stream().filter(RedriveNode.class::isInstance).map(RedriveNode.class::cast).toList();
    }

    private static void send(KafkaProducer<String, SpecificRecord> producer, ResourceKind kind, String name,
            SpecificRecord command) throws Exception {
        producer.send(new ProducerRecord<>(topics.commands(), RecordKeys.resource(kind, name), command))
                .get(10, TimeUnit.SECONDS);
    }

    private static void awaitDiskArrayState(String state) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode da = document(keys.diskArray("db1"));
            assertThat(da.path("state").asText()).as("%s", da).isEqualTo(state);
        });
    }

    private static JsonNode document(String key) throws Exception {
        var kvs = etcd.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS)
                .getKvs();
        return kvs.isEmpty() ? AvroJson.MAPPER.nullNode() : AvroJson.MAPPER.readTree(kvs.get(0).getValue().getBytes());
    }

    private static NvmfListener listener(String address, int port) {
        return new NvmfListener("tcp", "ipv4", address, Integer.toString(port));
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
