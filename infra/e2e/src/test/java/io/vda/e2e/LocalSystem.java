package io.vda.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.Client;
import io.vda.agent.NodeAgent;
import io.vda.agent.NodeAgentConfig;
import io.vda.agent.spdk.SpdkClient;
import io.vda.allocator.AllocatorConfig;
import io.vda.allocator.topology.AllocatorTopology;
import io.vda.command.CommandService;
import io.vda.command.CommandServiceConfig;
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
import io.vda.schema.RecordKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.config.CommonSettings;
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
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one JVM, on a broker and etcd started elsewhere: allocator, projections, gateway (free port),
 * reconciler and one {@link NodeAgent} per node, each node's SPDK emulator in its own process on its own loopback
 * address (127.0.0.2, .3, …). Helpers drive it through the HTTP API. Used by {@code ReadmeFlowIT} and the failover
 * benchmark.
 */
public final class LocalSystem implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSystem.class);
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration CONVERGE = Duration.ofSeconds(40);

    /** Where the system runs: broker, etcd, topic prefix, etcd root, a directory for logs and state. */
    public record Settings(String bootstrapServers, String etcdEndpoint, String prefix, String etcdRoot,
            Path workDir, List<String> nodeNames, Duration heartbeatGrace, boolean inProcessReconciler) {
        public Settings(String bootstrapServers, String etcdEndpoint, String prefix, String etcdRoot, Path workDir,
                List<String> nodeNames, Duration heartbeatGrace) {
            this(bootstrapServers, etcdEndpoint, prefix, etcdRoot, workDir, nodeNames, heartbeatGrace, true);
        }

        /** The same system without the reconciler in this JVM (a test runs its own, e.g. as processes). */
        public Settings withoutReconciler() {
            return new Settings(bootstrapServers, etcdEndpoint, prefix, etcdRoot, workDir, nodeNames, heartbeatGrace,
                    false);
        }
    }

    /** One emulated node: its SPDK target's process, a client on its socket, and its agent (null while stopped). */
    public static final class Node {
        private final String name;
        private final String role;
        private final String address;
        private final int port;
        private final Path socket;
        private final SpdkEmulatorProcess process;
        private final SpdkClient spdk;
        private volatile NodeAgent agent;

        Node(String name, String address, int port, Path socket, SpdkEmulatorProcess process, SpdkClient spdk) {
            this.name = name;
            this.role = name.startsWith("dn") ? "disk" : "controller";
            this.address = address;
            this.port = port;
            this.socket = socket;
            this.process = process;
            this.spdk = spdk;
        }

        public String name() {
            return name;
        }

        public String role() {
            return role;
        }

        public String address() {
            return address;
        }

        public int port() {
            return port;
        }

        public SpdkClient spdk() {
            return spdk;
        }

        public NodeAgent agent() {
            return agent;
        }

        /** The NVMe-oF listener as the API takes it. */
        public Map<String, Object> listener() {
            return Map.of("trType", "tcp", "adrFam", "ipv4", "trAddr", address, "trSvcId", Integer.toString(port));
        }
    }

    private final Settings settings;
    private final Path dir;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, String> common;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Client etcd;
    private SchemaRegistry registry;
    private KafkaStreams allocator;
    private ProjectionService projections;
    private Thread projectionsThread;
    private CommandService gateway;
    private HttpClient http;
    private String api;

    private LocalSystem(Settings settings) throws IOException {
        this.settings = settings;
        this.dir = Files.createTempDirectory("vda-e2e");
        this.common = CommonSettings.environment(settings.bootstrapServers(), settings.prefix(),
                settings.etcdEndpoint(), settings.etcdRoot());
    }

    /** Starts everything; on failure what was started is stopped again. */
    public static LocalSystem start(Settings settings) throws Exception {
        LocalSystem system = new LocalSystem(settings);
        try {
            system.startAll();
            return system;
        } catch (Exception | Error e) {
            system.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        // The emulators start first (a JVM each, in parallel) while this JVM starts the control plane.
        List<String> names = settings.nodeNames();
        Map<String, CompletableFuture<SpdkEmulatorProcess>> starting = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String address = address(i);
            starting.put(name, CompletableFuture.supplyAsync(() -> {
                try {
                    return SpdkEmulatorProcess.start(dir.resolve(name + ".sock"), address,
                            settings.workDir().resolve(name + "-spdk.log"), Duration.ofSeconds(60));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        Topics topics = topics();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers()))) {
            new TopicBootstrapper(admin, (short) 1).createClusterTopics(topics);
        }
        etcd = Client.builder().endpoints(settings.etcdEndpoint()).build();
        registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys(), Duration.ofSeconds(10)));

        startAllocator();

        // Projections
        Map<String, String> projectionsEnv = new HashMap<>(common);
        projectionsEnv.put("VDA_PROJECTIONS_GROUP_ID", settings.prefix() + "-projections");
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
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            SpdkEmulatorProcess process = starting.get(name).join();
            Node node = new Node(name, address(i), Ports.freeListenerPort(address(i)), dir.resolve(name + ".sock"), process,
                    SpdkClient.connect(dir.resolve(name + ".sock"), Duration.ofSeconds(10)));
            nodes.put(name, node);
            startAgent(name);
        }

        if (settings.inProcessReconciler()) {
            startReconciler();
        }
    }

    private void startReconciler() {
        Map<String, String> reconcilerEnv = new HashMap<>(common);
        reconcilerEnv.put("VDA_RECONCILER_ID", "e2e");
        reconcilerEnv.put("VDA_HEARTBEAT_GRACE", settings.heartbeatGrace().toMillis() + "ms");
        reconcilerEnv.put("VDA_DIRECTORY_REFRESH", "500ms");
        ReconcilerConfig rc = ReconcilerConfig.fromEnv(reconcilerEnv);
        KafkaConsumer<String, Heartbeat> heartbeats = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20),
                new StringDeserializer(), AvroSerde.of(registry, Heartbeat.class).deserializer());
        KafkaProducer<String, SpecificRecord> commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), AvroSerde.any(registry).serializer());
        LeaderElection election = new LeaderElection(etcd, keys().reconcilerLeader(), rc.candidateId(),
                rc.leaderTtl());
        Reconciler reconciler = new Reconciler(rc, topics(), heartbeats, commands, new ClusterDirectory(etcd, keys()),
                election, Clock.systemUTC());
        Thread reconcilerThread = new Thread(() -> {
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

    private static String address(int i) {
        return "127.0.0." + (i + 2);
    }

    public Topics topics() {
        return new Topics(settings.prefix());
    }

    /** The environment every component of this system shares (Kafka, topic prefix, etcd, etcd root). */
    public Map<String, String> commonEnvironment() {
        return common;
    }

    /** Starts the allocator (Kafka Streams, exactly-once); after {@link #stopAllocator()} it resumes where it was. */
    public synchronized void startAllocator() {
        Map<String, String> allocatorEnv = new HashMap<>(common);
        allocatorEnv.put("VDA_ALLOCATOR_APP_ID", settings.prefix() + "-allocator");
        allocatorEnv.put("VDA_ALLOCATOR_STATE_DIR", settings.workDir().resolve("allocator-state").toString());
        AllocatorConfig allocatorConfig = AllocatorConfig.fromMap(allocatorEnv);
        allocator = new KafkaStreams(AllocatorTopology.build(allocatorConfig, registry),
                AllocatorTopology.streamsProperties(allocatorConfig));
        allocator.start();
    }

    /** Stops the allocator: commands wait on their topic until {@link #startAllocator()}. */
    public synchronized void stopAllocator() {
        if (allocator != null) {
            allocator.close(Duration.ofSeconds(10));
            allocator = null;
        }
    }

    public EtcdKeys keys() {
        return new EtcdKeys(settings.etcdRoot());
    }

    public Client etcd() {
        return etcd;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    public Settings settings() {
        return settings;
    }

    public Node node(String name) {
        return nodes.get(name);
    }

    public Collection<Node> nodes() {
        return nodes.values();
    }

    /** Starts the node's agent (a new incarnation). */
    public void startAgent(String name) {
        Node node = nodes.get(name);
        Map<String, String> env = new HashMap<>(common);
        env.put("VDA_NODE_NAME", node.name());
        env.put("VDA_NODE_ROLE", node.role());
        env.put("VDA_SPDK_SOCKET", node.socket.toString());
        env.put("VDA_NVMF_LISTENER", "tcp:" + node.address() + ":" + node.port());
        env.put("VDA_RECONCILE_PERIOD", "1s");
        env.put("VDA_STATUS_REFRESH", "5s");
        env.put("VDA_SPDK_TIMEOUT", "5s");
        node.agent = new NodeAgent(NodeAgentConfig.fromEnv(env)).start();
    }

    /** Stops the node's agent: its heartbeats stop; the emulator keeps running. */
    public void stopAgent(String name) {
        Node node = nodes.get(name);
        NodeAgent agent = node.agent;
        node.agent = null;
        if (agent != null) {
            agent.close();
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeQuietly(closeables.get(i));
        }
        for (Node node : nodes.values()) {
            if (node.agent != null) {
                closeQuietly(node.agent);
            }
            closeQuietly(node.spdk);
            closeQuietly(node.process);
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
        if (etcd != null) {
            closeQuietly(etcd);
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("close failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------------ API

    /** The controller node holding the role (PRIMARY, SECONDARY) in a disk array's document, or null. */
    public static String role(JsonNode da, String role) {
        for (JsonNode c : da.path("spec").path("controllers")) {
            if (c.path("role").asText().equals(role)) {
                return c.path("cnName").asText();
            }
        }
        return null;
    }

    /** Waits for the disk array's document to be in the state and returns it. */
    /**
     * Whether the disk array's document shows {@code newPrimary} PRIMARY at epoch ≥ {@code newEpoch} with its
     * controller and the exporter's objects reported OK on it at that epoch: the new primary serves the array.
     */
    public static boolean newPrimaryReady(JsonNode doc, String da, String exp, String newPrimary, long newEpoch) {
        if (!newPrimary.equals(role(doc, "PRIMARY")) || doc.path("spec").path("epoch").asLong() < newEpoch) {
            return false;
        }
        boolean controller = false;
        boolean exporter = false;
        for (JsonNode o : doc.path("status").path("objects")) {
            if (!o.path("node").asText().equals(newPrimary) || !o.path("state").asText().equals("OK")
                    || o.path("epoch").asLong() < newEpoch) {
                continue;
            }
            String key = o.path("objectKey").asText();
            controller |= key.equals(RecordKeys.controllerObject(da));
            exporter |= key.equals(RecordKeys.exporterObject(da, exp));
        }
        return controller && exporter;
    }

    /**
     * Registers every node through the API (each disk node with one malloc physical disk {@code pd0} of
     * {@code pdBytes}), then creates a disk array of {@code daBytes} over 2 VDs with 2 controllers and an exporter
     * for {@code hostNqn}, and waits until it is ready.
     */
    public JsonNode createNodesAndArray(long pdBytes, String da, long daBytes, String exp, String hostNqn)
            throws Exception {
        for (Node n : nodes.values()) {
            if (n.role().equals("disk")) {
                expect(post("/v1/disk-nodes?wait=30s", Map.of("dnName", n.name(), "nvmfListener", n.listener())),
                        201);
                expect(post("/v1/disk-nodes/" + n.name() + "/physical-disks?wait=30s", Map.of("pdName", "pd0",
                        "backing", Map.of("type", "malloc", "sizeBytes", pdBytes))), 201);
            } else {
                expect(post("/v1/controller-nodes?wait=30s", Map.of("cnName", n.name(), "nvmfListener",
                        n.listener())), 201);
            }
        }
        expect(post("/v1/disk-arrays?wait=30s", Map.of("daName", da, "sizeBytes", daBytes, "stripCnt", 2,
                "cntlrCnt", 2)), 201);
        expect(post("/v1/disk-arrays/" + da + "/exporters?wait=30s", Map.of("expName", exp, "hostNqns",
                List.of(hostNqn))), 201);
        return awaitState(da, "ready");
    }

    /** The disk array's document (through the API) once it satisfies the condition, within {@link #CONVERGE}. */
    public JsonNode awaitDocument(String da, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            HttpResponse<String> r = get("/v1/disk-arrays/" + da);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            last[0] = JSON.readTree(r.body());
            assertThat(condition.test(last[0])).as(r.body()).isTrue();
        });
        return last[0];
    }

    public JsonNode awaitState(String da, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            HttpResponse<String> r = get("/v1/disk-arrays/" + da);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            last[0] = JSON.readTree(r.body());
            assertThat(last[0].path("state").asText()).as(r.body()).isEqualTo(state);
        });
        return last[0];
    }

    public static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + " -> " + r.body()).isEqualTo(status);
        return r;
    }

    public HttpResponse<String> post(String path, Object body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(api + path)).GET());
    }

    public HttpResponse<String> delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(api + path)).DELETE());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(45)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
