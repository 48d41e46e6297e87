package io.vda.agent;

import static io.vda.agent.testing.Specs.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.Client;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.spdk.SpdkClient;
import io.vda.agent.testing.Specs;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.Ports;
import io.vda.infra.spdk.SpdkEmulatorProcess;
import io.vda.schema.EtcdKeys;
import io.vda.schema.RecordKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.command.MarkDiskArrayInitialized;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.state.ControllerEndpoint;
import io.vda.schema.status.Heartbeat;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectState;
import io.vda.schema.status.ObjectStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Node agents against a real broker and etcd and emulated SPDK targets in their own processes; desired-state
 * records produced to the node topics as the allocator would, status, heartbeats and commands read back.
 */
@ExtendWith(LocalClusterExtension.class)
class NodeAgentIT {
    private static final Duration PERIOD = Duration.ofMillis(500);
    private static final Duration SOON = Duration.ofSeconds(20);

    private static TestCluster cluster;
    private static Topics topics;
    private static Client etcd;
    private static KafkaProducer<String, SpecificRecord> producer;
    private static KafkaConsumer<String, SpecificRecord> observer;
    private static Thread observerThread;
    private static final Map<String, SpecificRecord> status = new ConcurrentHashMap<>();
    private static final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private static final List<SpecificRecord> commands = new CopyOnWriteArrayList<>();
    private static volatile boolean observing = true;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = testCluster;
        topics = new Topics(cluster.prefix());
        etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        SchemaRegistry registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd,
                new EtcdKeys(cluster.etcdRoot()), Duration.ofSeconds(10)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            TopicBootstrapper b = new TopicBootstrapper(admin, (short) 1);
            b.createClusterTopics(topics);
            for (String node : List.of("dn0", "dn1", "cn1", "cn2", "dnx")) {
                b.createNodeTopic(topics, node);
            }
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), AvroSerde.any(registry).serializer());
        observer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "node-agent-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50), new StringDeserializer(),
                AvroSerde.any(registry).deserializer());
        observer.subscribe(List.of(topics.status(), topics.heartbeats(), topics.commands()));
        observerThread = new Thread(() -> {
            while (observing) {
                observer.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (r.topic().equals(topics.status()) && r.value() != null) {
                        status.put(r.key(), r.value());
                    } else if (r.topic().equals(topics.heartbeats())) {
                        heartbeats.put(r.key(), (Heartbeat) r.value());
                    } else if (r.topic().equals(topics.commands())) {
                        commands.add(r.value());
                    }
                });
            }
            observer.close();
        }, "it-observer");
        observerThread.start();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        observing = false;
        observerThread.join(5000);
        producer.close();
        etcd.close();
    }

    @Test
    void shouldConvergeADiskNodeAndSurviveRestartsDriftErrorsAndTeardown() throws Exception {
        try (Emulator dn = Emulator.start("dnx")) {
            // Given the desired state of disk node dnx: a PD, two VDs, and one VD that cannot fit
            produce("dnx", "pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
            produce("dnx", "vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn1", 1));
            produce("dnx", "vd/db1/1", Specs.vd("db1", 1, "pd0", 64 * MIB, "cn1", 1));
            produce("dnx", "vd/big/0", Specs.vd("big", 0, "pd0", 100_000 * MIB, "cn1", 1));

            // When its agent starts
            NodeAgent agent = agent("dnx", "disk", dn).start();
            try {
                // Then the objects converge, the SPDK error is reported on its object only, and it heartbeats
                await().atMost(SOON).untilAsserted(() -> {
                    assertThat(state("dnx", "pd/pd0")).isEqualTo(ObjectState.OK);
                    assertThat(state("dnx", "vd/db1/0")).isEqualTo(ObjectState.OK);
                    assertThat(state("dnx", "vd/db1/1")).isEqualTo(ObjectState.OK);
                    assertThat(state("dnx", "vd/big/0")).isEqualTo(ObjectState.ERROR);
                });
                assertThat(((ObjectStatus) status.get("dnx/vd/big/0")).getMessage()).contains("No space left");
                assertThat(((ObjectStatus) status.get("dnx/vd/big/0")).getResourceName()).isEqualTo("big");
                assertThat(((ObjectStatus) status.get("dnx/pd/pd0")).getResourceName()).isEqualTo("dnx/pd0");
                assertThat(dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db1", 1)).orElseThrow().hostNqns())
                        .containsExactly(NvmeNames.controllerHostNqn("cn1"));
                await().atMost(SOON).until(() -> status.get("dnx") instanceof NodeStatus n && n.getSpdkReachable()
                        && n.getLvstores().size() == 1);
                await().atMost(SOON).until(() -> heartbeats.containsKey("dnx")
                        && heartbeats.get("dnx").getIncarnation().equals(agent.incarnation()));
                produce("dnx", "vd/big/0", null);
                await().atMost(SOON).until(() -> state("dnx", "vd/big/0") == ObjectState.DELETED);
            } finally {
                agent.close();
            }

            // When the agent restarts with SPDK's state intact, it makes no mutating call
            dn.clearCalls();
            NodeAgent restarted = agent("dnx", "disk", dn).start();
            try {
                await().atMost(SOON).until(() -> restarted.lastReport() != null && restarted.lastReport().pass() >= 3);
                assertThat(dn.mutatingCalls()).isEmpty();

                // When an object is deleted behind its back, it is re-created within a period or so
                dn.client.deleteSubsystem(NvmeNames.virtualDiskNqn("db1", 0));
                await().atMost(PERIOD.multipliedBy(4)).pollInterval(Duration.ofMillis(50))
                        .until(() -> dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db1", 0)).isPresent());

                // When SPDK dies, the agent keeps running and heartbeating and reports the node's SPDK down
                dn.kill();
                await().atMost(SOON).until(() -> status.get("dnx") instanceof NodeStatus n && !n.getSpdkReachable());
                long beat = heartbeats.get("dnx").getSequence();
                await().atMost(SOON).until(() -> heartbeats.get("dnx").getSequence() > beat + 2);

                // When SPDK comes back with its state lost, the agent rebuilds everything
                dn.startAgain();
                await().atMost(SOON).until(() -> dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db1", 1))
                        .map(s -> s.namespaces().size() == 1).orElse(false));
                assertThat(dn.client.getLvstore(SpdkNames.pdLvstore("pd0"))).isPresent();

                // When the desired records are deleted, the agent tears down in reverse order
                dn.clearCalls();
                produce("dnx", "vd/db1/0", null);
                produce("dnx", "vd/db1/1", null);
                produce("dnx", "pd/pd0", null);
                await().atMost(SOON).untilAsserted(() -> {
                    assertThat(state("dnx", "pd/pd0")).isEqualTo(ObjectState.DELETED);
                    assertThat(state("dnx", "vd/db1/0")).isEqualTo(ObjectState.DELETED);
                    assertThat(state("dnx", "vd/db1/1")).isEqualTo(ObjectState.DELETED);
                });
                List<String> teardown = dn.mutatingCalls();
                assertThat(teardown).containsSubsequence("nvmf_delete_subsystem", "bdev_lvol_delete",
                        "bdev_lvol_delete_lvstore", "bdev_malloc_delete");
                assertThat(dn.client.getBdevs()).isEmpty();
            } finally {
                restarted.close();
            }
        }
    }

    @Test
    void shouldBuildPrimaryAndSecondaryAndFailOverWithoutLosingTheArray() throws Exception {
        try (Emulator dn0 = Emulator.start("dn0"); Emulator dn1 = Emulator.start("dn1");
                Emulator cn1 = Emulator.start("cn1"); Emulator cn2 = Emulator.start("cn2")) {
            List<NodeAgent> agents = new ArrayList<>();
            try {
                for (Emulator e : List.of(dn0, dn1, cn1, cn2)) {
                    agents.add(agent(e.name, e.name.startsWith("dn") ? "disk" : "controller", e).start());
                }
                // Given db1: two VDs on dn0 and dn1, cn1 primary, cn2 secondary, one exporter
                ControllerEndpoint e1 = Specs.endpoint("cn1", cn1.listener());
                ControllerEndpoint e2 = Specs.endpoint("cn2", cn2.listener());
                var vdListeners = List.of(dn0.listener(), dn1.listener());
                String host = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
                for (int i = 0; i < 2; i++) {
                    produce("dn" + i, "pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
                    produce("dn" + i, "vd/db1/" + i, Specs.vd("db1", i, "pd0", 128 * MIB, "cn1", 1));
                }
                produce("cn1", "cntlr/db1", Specs.controller("db1", "cn1", ControllerRole.PRIMARY, 1, vdListeners,
                        128 * MIB, e1, List.of(e2), false, null));
                produce("cn1", "exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.PRIMARY, 1, host));
                produce("cn2", "cntlr/db1", Specs.controller("db1", "cn2", ControllerRole.SECONDARY, 1, vdListeners,
                        128 * MIB, e1, List.of(e2), false, null));
                produce("cn2", "exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.SECONDARY, 1, host));

                // Then both controllers export the array under one NQN, and the primary reports the new lvstore
                await().atMost(SOON).untilAsserted(() -> {
                    for (String cn : List.of("cn1", "cn2")) {
                        assertThat(state(cn, "cntlr/db1")).isEqualTo(ObjectState.OK);
                        assertThat(state(cn, "exp/db1/exp1")).isEqualTo(ObjectState.OK);
                    }
                });
                String nqn = NvmeNames.exporterNqn("db1", "exp1");
                assertThat(cn2.client.getSubsystem(nqn).orElseThrow().namespaces().get(0).uuid())
                        .isEqualTo(cn1.client.getSubsystem(nqn).orElseThrow().namespaces().get(0).uuid())
                        .isEqualTo(NvmeNames.exporterNamespaceUuid("db1", "exp1"));
                String lvsUuid = cn1.client.getLvstore(SpdkNames.daLvstore("db1")).orElseThrow().uuid();
                await().atMost(SOON).until(() -> commands.stream().anyMatch(c -> c instanceof MarkDiskArrayInitialized m
                        && m.getLvstoreUuid().equals(lvsUuid) && m.getDaName().equals("db1")));
                // (the allocator's part) the array is recorded as initialised
                produce("cn1", "cntlr/db1", Specs.controller("db1", "cn1", ControllerRole.PRIMARY, 1, vdListeners,
                        128 * MIB, e1, List.of(e2), true, lvsUuid));

                // Given a marker in the array's lvol metadata
                cn1.client.setLvolXattr(SpdkNames.daVolumeAlias("db1"), "marker", "before-failover");

                // When cn1 fails over to cn2: fence on the disk nodes, then the new roles
                cn2.clearCalls();
                for (int i = 0; i < 2; i++) {
                    produce("dn" + i, "vd/db1/" + i, Specs.vd("db1", i, "pd0", 128 * MIB, "cn2", 2));
                }
                produce("cn2", "cntlr/db1", Specs.controller("db1", "cn2", ControllerRole.PRIMARY, 2, vdListeners,
                        128 * MIB, e2, List.of(e1), true, lvsUuid));
                produce("cn2", "exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.PRIMARY, 2, host));
                produce("cn1", "cntlr/db1", Specs.controller("db1", "cn1", ControllerRole.SECONDARY, 2, vdListeners,
                        128 * MIB, e2, List.of(e1), true, lvsUuid));
                produce("cn1", "exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.SECONDARY, 2, host));

                // Then cn2 assembles the raid, finds the same lvstore (never creates one), and the marker is there
                await().atMost(SOON).untilAsserted(() -> {
                    assertThat(cn2.client.getLvstore(SpdkNames.daLvstore("db1")).map(l -> l.uuid())).contains(lvsUuid);
                    assertThat(cn2.client.getSubsystem(nqn).orElseThrow().namespaces()).hasSize(1);
                    assertThat(cn1.client.getRaids("all")).isEmpty();
                    assertThat(cn1.client.getSubsystem(nqn).orElseThrow().namespaces()).hasSize(1);
                    assertThat(statusOf("cn1", "exp/db1/exp1").getEpoch()).isEqualTo(2);
                    assertThat(state("cn1", "exp/db1/exp1")).isEqualTo(ObjectState.OK);
                });
                assertThat(cn2.client.getLvolXattr(SpdkNames.daVolumeAlias("db1"), "marker")).contains("before-failover");
                assertThat(cn2.calls()).doesNotContain("bdev_lvol_create_lvstore", "bdev_lvol_delete",
                        "bdev_lvol_delete_lvstore");

                // When the controller records are deleted, cn2 tears down in reverse order
                cn2.clearCalls();
                produce("cn2", "exp/db1/exp1", null);
                produce("cn2", "cntlr/db1", null);
                await().atMost(SOON).until(() -> state("cn2", "cntlr/db1") == ObjectState.DELETED
                        && state("cn2", "exp/db1/exp1") == ObjectState.DELETED);
                assertThat(cn2.mutatingCalls()).containsSubsequence("nvmf_delete_subsystem", "bdev_raid_delete",
                        "bdev_nvme_detach_controller", "bdev_nvme_detach_controller");
            } finally {
                agents.forEach(NodeAgent::close);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void produce(String node, String key, SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topics.node(node), key, value)).get();
    }

    private static ObjectStatus statusOf(String node, String objectKey) {
        return (ObjectStatus) status.get(RecordKeys.objectStatus(node, objectKey));
    }

    private static ObjectState state(String node, String objectKey) {
        ObjectStatus s = statusOf(node, objectKey);
        return s == null ? null : s.getState();
    }

    private static NodeAgent agent(String node, String role, Emulator spdk) {
        Map<String, String> env = new HashMap<>();
        env.put("VDA_NODE_NAME", node);
        env.put("VDA_NODE_ROLE", role);
        env.put("VDA_SPDK_SOCKET", spdk.socket.toString());
        env.put("VDA_NVMF_LISTENER", "tcp:127.0.0.1:" + spdk.port);
        env.put("VDA_KAFKA_BOOTSTRAP", cluster.bootstrapServers());
        env.put("VDA_TOPIC_PREFIX", cluster.prefix());
        env.put("VDA_ETCD_ENDPOINTS", cluster.etcdEndpoint());
        env.put("VDA_ETCD_ROOT", cluster.etcdRoot());
        env.put("VDA_RECONCILE_PERIOD", PERIOD.toMillis() + "ms");
        env.put("VDA_STATUS_REFRESH", "5s");
        env.put("VDA_SPDK_TIMEOUT", "3s");
        return new NodeAgent(NodeAgentConfig.fromEnv(env));
    }

    /** An emulated SPDK target in its own process, with a client on its socket. */
    private static final class Emulator implements AutoCloseable {
        final String name;
        final Path socket;
        final int port;
        final SpdkClient client;
        private SpdkEmulatorProcess process;

        private Emulator(String name) throws IOException {
            this.name = name;
            this.socket = cluster.workDir().resolve(name + "-" + System.nanoTime() + ".sock");
            this.port = Ports.freeLoopbackPort();
            this.process = startProcess();
            this.client = SpdkClient.connect(socket, Duration.ofSeconds(10));
        }

        static Emulator start(String name) throws IOException {
            return new Emulator(name);
        }

        private SpdkEmulatorProcess startProcess() throws IOException {
            return SpdkEmulatorProcess.start(socket, "127.0.0.1", cluster.workDir().resolve(name + "-spdk.log"),
                    Duration.ofSeconds(30));
        }

        io.vda.schema.common.NvmfListener listener() {
            return Specs.listener("127.0.0.1", port);
        }

        void kill() {
            process.kill();
        }

        void startAgain() throws IOException {
            process = startProcess();
        }

        List<String> calls() {
            List<String> out = new ArrayList<>();
            for (JsonNode e : client.call("vda_emulator_get_call_log", null)) {
                out.add(e.get("method").asText());
            }
            return out;
        }

        List<String> mutatingCalls() {
            return calls().stream().filter(m -> !m.contains("_get_")).toList();
        }

        void clearCalls() {
            client.call("vda_emulator_clear_call_log", null);
        }

        @Override
        public void close() {
            client.close();
            process.close();
        }
    }
}
