package io.vda.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.Client;
import io.vda.agent.NodeAgent;
import io.vda.agent.NodeAgentConfig;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.spdk.SpdkClient;
import io.vda.allocator.AllocatorConfig;
import io.vda.allocator.topology.AllocatorTopology;
import io.vda.command.CommandService;
import io.vda.command.CommandServiceConfig;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.Ports;
import io.vda.infra.spdk.SpdkEmulatorProcess;
import io.vda.projections.ProjectionHooks;
import io.vda.projections.ProjectionService;
import io.vda.projections.ProjectionsConfig;
import io.vda.reconciler.ClusterDirectory;
import io.vda.reconciler.Reconciler;
import io.vda.reconciler.ReconcilerConfig;
import io.vda.reconciler.leader.LeaderElection;
import io.vda.schema.EtcdKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.status.Heartbeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's flow, end to end: allocator, projections, gateway, reconciler and four node agents in this JVM, four
 * emulated SPDK targets in their own processes on their own loopback addresses, driven only through the HTTP API;
 * what the nodes built is checked on the emulators.
 */
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class ReadmeFlowIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReadmeFlowIT.class);
    private static final long MIB = 1L << 20;
    private static final Duration CONVERGE = Duration.ofSeconds(40);
    private static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NODES = List.of("dn1", "dn2", "cn1", "cn2");

    private static TestCluster cluster;
    private static Path dir;
    private static final Map<String, Node> nodes = new LinkedHashMap<>();
    private static KafkaStreams allocator;
    private static ProjectionService projections;
    private static Thread projectionsThread;
    private static CommandService gateway;
    private static Reconciler reconciler;
    private static Thread reconcilerThread;
    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static HttpClient http;
    private static String api;
    private static Map<String, String> common;

    /** One emulated node: its SPDK target's process, a client on its socket, and its agent. */
    private record Node(String name, String role, String address, int port, Path socket, SpdkEmulatorProcess process,
            SpdkClient spdk, NodeAgent[] agent) {
    }

    @BeforeAll
    static void setUp(TestCluster testCluster) throws Exception {
        cluster = testCluster;
        dir = Files.createTempDirectory("vda-e2e");
        // The emulators start first (a JVM each, in parallel) while this JVM starts the control plane.
        Map<String, CompletableFuture<SpdkEmulatorProcess>> starting = new LinkedHashMap<>();
        for (int i = 0; i < NODES.size(); i++) {
            String name = NODES.get(i);
            String address = "127.0.0." + (i + 2);
            starting.put(name, CompletableFuture.supplyAsync(() -> {
                try {
                    return SpdkEmulatorProcess.start(dir.resolve(name + ".sock"), address,
                            cluster.workDir().resolve(name + "-spdk.log"), Duration.ofSeconds(60));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        Topics topics = new Topics(cluster.prefix());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            new TopicBootstrapper(admin, (short) 1).createClusterTopics(topics);
        }
        common = Map.of("VDA_KAFKA_BOOTSTRAP", cluster.bootstrapServers(),
                "VDA_TOPIC_PREFIX", cluster.prefix(), "VDA_ETCD_ENDPOINTS", cluster.etcdEndpoint(),
                "VDA_ETCD_ROOT", cluster.etcdRoot());
        Client etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        closeables.add(etcd);
        SchemaRegistry registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd,
                new EtcdKeys(cluster.etcdRoot()), Duration.ofSeconds(10)));

        // Allocator
        Map<String, String> allocatorEnv = new HashMap<>(common);
        allocatorEnv.put("VDA_ALLOCATOR_APP_ID", cluster.prefix() + "-allocator");
        allocatorEnv.put("VDA_ALLOCATOR_STATE_DIR", cluster.workDir().resolve("allocator-state").toString());
        AllocatorConfig allocatorConfig = AllocatorConfig.fromMap(allocatorEnv);
        allocator = new KafkaStreams(AllocatorTopology.build(allocatorConfig, registry),
                AllocatorTopology.streamsProperties(allocatorConfig));
        allocator.start();

        // Projections
        Map<String, String> projectionsEnv = new HashMap<>(common);
        projectionsEnv.put("VDA_PROJECTIONS_GROUP_ID", cluster.prefix() + "-projections");
        projections = new ProjectionService(ProjectionsConfig.fromMap(projectionsEnv), ProjectionHooks.NONE);
        projectionsThread = new Thread(projections, "projections");
        projectionsThread.start();

        // Gateway on a free port
        Map<String, String> gatewayEnv = new HashMap<>(common);
        gatewayEnv.put("VDA_HTTP_PORT", "0");
        gateway = CommandService.start(CommandServiceConfig.fromMap(gatewayEnv));
        api = "http://127.0.0.1:" + gateway.port();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        // Nodes: emulator + agent each
        for (int i = 0; i < NODES.size(); i++) {
            String name = NODES.get(i);
            SpdkEmulatorProcess process = starting.get(name).join();
            Node node = new Node(name, name.startsWith("dn") ? "disk" : "controller", "127.0.0." + (i + 2),
                    Ports.freeLoopbackPort(), dir.resolve(name + ".sock"), process,
                    SpdkClient.connect(dir.resolve(name + ".sock"), Duration.ofSeconds(10)), new NodeAgent[1]);
            nodes.put(name, node);
            startAgent(node, common);
        }

        // Reconciler (heartbeat grace generous: this JVM is busy on 2 cores; -Dvda.e2e.heartbeatGrace=1s to measure
        // failover with the default)
        Map<String, String> reconcilerEnv = new HashMap<>(common);
        reconcilerEnv.put("VDA_RECONCILER_ID", "e2e");
        reconcilerEnv.put("VDA_HEARTBEAT_GRACE", System.getProperty("vda.e2e.heartbeatGrace", "3s"));
        reconcilerEnv.put("VDA_DIRECTORY_REFRESH", "500ms");
        ReconcilerConfig rc = ReconcilerConfig.fromEnv(reconcilerEnv);
        KafkaConsumer<String, Heartbeat> heartbeats = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20),
                new StringDeserializer(), AvroSerde.of(registry, Heartbeat.class).deserializer());
        KafkaProducer<String, SpecificRecord> commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), AvroSerde.any(registry).serializer());
        EtcdKeys keys = new EtcdKeys(cluster.etcdRoot());
        LeaderElection election = new LeaderElection(etcd, keys.reconcilerLeader(), rc.candidateId(),
                rc.leaderTtl());
        reconciler = new Reconciler(rc, topics, heartbeats, commands, new ClusterDirectory(etcd, keys), election,
                Clock.systemUTC());
        reconcilerThread = new Thread(() -> {
            try {
                reconciler.run();
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                LOG.info("reconciler stopping");
            } finally {
                election.close();
                heartbeats.close();
                commands.close();
            }
        }, "reconciler");
        reconcilerThread.start();
        closeables.add(() -> {
            reconciler.close();
            heartbeats.wakeup();
            reconcilerThread.join(10_000);
        });
    }

    private static void startAgent(Node node, Map<String, String> common) {
        Map<String, String> env = new HashMap<>(common);
        env.put("VDA_NODE_NAME", node.name());
        env.put("VDA_NODE_ROLE", node.role());
        env.put("VDA_SPDK_SOCKET", node.socket().toString());
        env.put("VDA_NVMF_LISTENER", "tcp:" + node.address() + ":" + node.port());
        env.put("VDA_RECONCILE_PERIOD", "1s");
        env.put("VDA_STATUS_REFRESH", "5s");
        env.put("VDA_SPDK_TIMEOUT", "5s");
        node.agent()[0] = new NodeAgent(NodeAgentConfig.fromEnv(env)).start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 1; i--) {
            closeQuietly(closeables.get(i));
        }
        for (Node node : nodes.values()) {
            if (node.agent()[0] != null) {
                closeQuietly(node.agent()[0]);
            }
            closeQuietly(node.spdk());
            closeQuietly(node.process());
        }
        if (gateway != null) {
            closeQuietly(gateway);
        }
        if (projections != null) {
            projections.stop();
            projectionsThread.join(15_000);
        }
        if (allocator != null) {
            allocator.close(Duration.ofSeconds(10));
        }
        if (!closeables.isEmpty()) {
            closeQuietly(closeables.get(0));
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("close failed: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------------- tests

    @Test
    @Order(1)
    void shouldBuildTheDataPathOfADiskArrayThroughTheApiAndTearItDown() throws Exception {
        // Given two disk nodes with a 256 MiB malloc PD each and two controller nodes, created through the API
        for (String dn : List.of("dn1", "dn2")) {
            Node n = nodes.get(dn);
            expect(post("/v1/disk-nodes?wait=30s", Map.of("dnName", dn, "nvmfListener", listener(n))), 201);
            expect(post("/v1/disk-nodes/" + dn + "/physical-disks?wait=30s", Map.of("pdName", "pd0",
                    "backing", Map.of("type", "malloc", "sizeBytes", 256 * MIB))), 201);
        }
        for (String cn : List.of("cn1", "cn2")) {
            expect(post("/v1/controller-nodes?wait=30s", Map.of("cnName", cn, "nvmfListener",
                    listener(nodes.get(cn)))), 201);
        }

        // When a 64 MiB disk array striped over 2 VDs with 2 controllers and an exporter are created
        long start = System.nanoTime();
        expect(post("/v1/disk-arrays?wait=30s", Map.of("daName", "db1", "sizeBytes", 64 * MIB, "stripCnt", 2,
                "cntlrCnt", 2)), 201);
        expect(post("/v1/disk-arrays/db1/exporters?wait=30s", Map.of("expName", "exp1", "hostNqns",
                List.of(HOST_NQN))), 201);

        // Then the disk array becomes ready
        JsonNode da = awaitState("db1", "ready");
        LOG.info("E2E: disk array db1 (64 MiB, 2 VDs, 2 controllers, 1 exporter) ready {} ms after POST",
                (System.nanoTime() - start) / 1_000_000);
        String primary = null;
        String secondary = null;
        for (JsonNode c : da.path("spec").path("controllers")) {
            if (c.path("role").asText().equals("PRIMARY")) {
                primary = c.path("cnName").asText();
            } else {
                secondary = c.path("cnName").asText();
            }
        }
        assertThat(primary).isNotNull();
        assertThat(secondary).isNotNull();
        assertDataPath(da, "db1", "exp1", primary, secondary);

        // A disk array too big for the disk nodes is refused with the allocator's reason
        HttpResponse<String> big = post("/v1/disk-arrays?wait=30s", Map.of("daName", "huge", "sizeBytes",
                4096 * MIB, "stripCnt", 2, "cntlrCnt", 1));
        assertThat(big.statusCode()).as(big.body()).isIn(409, 422);
        assertThat(JSON.readTree(big.body()).path("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");

        // When the exporter and the disk array are deleted
        expect(delete("/v1/disk-arrays/db1/exporters/exp1?wait=30s"), 204);
        expect(delete("/v1/disk-arrays/db1?wait=30s"), 204);

        // Then the document is gone and nothing of it is left on any node
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(get("/v1/disk-arrays/db1").statusCode()).isEqualTo(404);
            for (Node n : nodes.values()) {
                assertThat(n.spdk().getSubsystems()).as(n.name()).extracting(NvmfSubsystem::nqn)
                        .noneMatch(nqn -> nqn.contains(":db1"));
                assertThat(n.spdk().getControllers()).as(n.name()).isEmpty();
                assertThat(n.spdk().getRaids("all")).as(n.name()).isEmpty();
                assertThat(n.spdk().getLvols()).as(n.name()).isEmpty();
            }
        });
        // The PDs' lvstores stay: their PDs still exist
        for (String dn : List.of("dn1", "dn2")) {
            assertThat(nodes.get(dn).spdk().getLvstore(SpdkNames.pdLvstore("pd0"))).isPresent();
        }
    }

    @Test
    @Order(2)
    void shouldFailOverWhenThePrimaryControllerStopsAndTakeItBackAsSecondary() throws Exception {
        // Given a ready disk array with an exporter (the nodes of the first test)
        expect(post("/v1/disk-arrays?wait=30s", Map.of("daName", "db2", "sizeBytes", 64 * MIB, "stripCnt", 2,
                "cntlrCnt", 2)), 201);
        expect(post("/v1/disk-arrays/db2/exporters?wait=30s", Map.of("expName", "exp1", "hostNqns",
                List.of(HOST_NQN))), 201);
        JsonNode before = awaitState("db2", "ready");
        String primary = role(before, "PRIMARY");
        String secondary = role(before, "SECONDARY");
        long epoch = before.path("spec").path("epoch").asLong();
        assertDataPath(before, "db2", "exp1", primary, secondary);

        // When the primary's agent stops (no more heartbeats)
        long stopped = System.nanoTime();
        Node failed = nodes.get(primary);
        failed.agent()[0].close();
        failed.agent()[0] = null;

        // Then the reconciler fails it over: the secondary becomes primary at the next epoch
        JsonNode[] moved = new JsonNode[1];
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            moved[0] = JSON.readTree(get("/v1/disk-arrays/db2").body());
            assertThat(role(moved[0], "PRIMARY")).isEqualTo(secondary);
            assertThat(moved[0].path("spec").path("epoch").asLong()).isGreaterThan(epoch);
        });
        long failedOver = System.nanoTime();
        // and the new primary builds the array from the same VDs, fenced to it alone
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            SpdkClient p = nodes.get(secondary).spdk();
            assertThat(p.getRaids("all")).extracting(r -> r.name()).containsExactly(SpdkNames.raid("db2"));
            assertThat(p.getBdev(SpdkNames.daVolumeAlias("db2"))).isPresent();
            assertThat(p.getSubsystem(NvmeNames.exporterNqn("db2", "exp1"))).isPresent();
            for (JsonNode vd : moved[0].path("spec").path("virtualDisks")) {
                NvmfSubsystem s = nodes.get(vd.path("dnName").asText()).spdk()
                        .getSubsystem(NvmeNames.virtualDiskNqn("db2", vd.path("vdIndex").asInt())).orElseThrow();
                assertThat(s.hostNqns()).containsExactly(NvmeNames.controllerHostNqn(secondary));
            }
        });
        long rebuilt = System.nanoTime();

        // When the old primary's agent comes back, it returns as a secondary and the disk array is ready again
        startAgent(failed, common);
        JsonNode after = awaitState("db2", "ready");
        long readyAgain = System.nanoTime();
        assertThat(role(after, "PRIMARY")).isEqualTo(secondary);
        assertThat(role(after, "SECONDARY")).isEqualTo(primary);
        assertDataPath(after, "db2", "exp1", secondary, primary);
        LOG.info("E2E: failover of db2: primary {} stopped -> new primary {} in the document {} ms, its array "
                + "built {} ms; old primary back as secondary, ready {} ms after its restart", primary, secondary,
                (failedOver - stopped) / 1_000_000, (rebuilt - stopped) / 1_000_000,
                (readyAgain - rebuilt) / 1_000_000);
    }

    private static String role(JsonNode da, String role) {
        for (JsonNode c : da.path("spec").path("controllers")) {
            if (c.path("role").asText().equals(role)) {
                return c.path("cnName").asText();
            }
        }
        return null;
    }

    private static void assertDataPath(JsonNode da, String daName, String expName, String primary,
            String secondary) {
        String primaryHost = NvmeNames.controllerHostNqn(primary);
        String expNqn = NvmeNames.exporterNqn(daName, expName);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            // Each DN holds its VD's lvol, exported to the primary only
            for (JsonNode vd : da.path("spec").path("virtualDisks")) {
                Node dn = nodes.get(vd.path("dnName").asText());
                int index = vd.path("vdIndex").asInt();
                String lvol = SpdkNames.lvolAlias(SpdkNames.pdLvstore(vd.path("pdName").asText()),
                        SpdkNames.vdLvol(daName, index));
                assertThat(dn.spdk().getBdev(lvol)).as(dn.name() + " " + lvol).isPresent();
                NvmfSubsystem s = dn.spdk().getSubsystem(NvmeNames.virtualDiskNqn(daName, index)).orElseThrow();
                assertThat(s.hostNqns()).as(dn.name()).containsExactly(primaryHost);
                assertThat(s.namespaces()).hasSize(1);
            }
            // The primary: raid0, lvstore, volume, the exporter's subsystem
            SpdkClient p = nodes.get(primary).spdk();
            assertThat(p.getRaids("all")).extracting(r -> r.name()).containsExactly(SpdkNames.raid(daName));
            assertThat(p.getLvstore(SpdkNames.daLvstore(daName))).isPresent();
            assertThat(p.getBdev(SpdkNames.daVolumeAlias(daName))).isPresent();
            NvmfSubsystem pe = p.getSubsystem(expNqn).orElseThrow();
            assertThat(pe.hostNqns()).contains(HOST_NQN, NvmeNames.controllerHostNqn(secondary));
            assertThat(pe.serialNumber()).isEqualTo(NvmeNames.exporterSerialNumber(daName, expName));
            // The secondary re-exports the primary's exporter under the same identity to the exporter's hosts
            SpdkClient s = nodes.get(secondary).spdk();
            NvmfSubsystem se = s.getSubsystem(expNqn).orElseThrow();
            assertThat(se.hostNqns()).containsExactly(HOST_NQN);
            assertThat(se.serialNumber()).isEqualTo(pe.serialNumber());
            assertThat(se.namespaces()).hasSize(1);
            assertThat(se.namespaces().get(0).uuid()).isEqualTo(pe.namespaces().get(0).uuid())
                    .isEqualTo(NvmeNames.exporterNamespaceUuid(daName, expName));
            assertThat(s.getRaids("all")).isEmpty();
        });
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static Map<String, Object> listener(Node n) {
        return Map.of("trType", "tcp", "adrFam", "ipv4", "trAddr", n.address(), "trSvcId",
                Integer.toString(n.port()));
    }

    private static JsonNode awaitState(String da, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            HttpResponse<String> r = get("/v1/disk-arrays/" + da);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            last[0] = JSON.readTree(r.body());
            assertThat(last[0].path("state").asText()).as(r.body()).isEqualTo(state);
        });
        return last[0];
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + " -> " + r.body()).isEqualTo(status);
        return r;
    }

    private static HttpResponse<String> post(String path, Object body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(api + path)).GET());
    }

    private static HttpResponse<String> delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(api + path)).DELETE());
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(45)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
