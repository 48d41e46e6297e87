package io.vda.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.spdk.Lvol;
import io.vda.agent.spdk.Lvstore;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.spdk.RaidBdev;
import io.vda.allocator.domain.LvstoreGeometry;
import io.vda.e2e.CommandDriver.Answer;
import io.vda.e2e.CommandDriver.Issued;
import io.vda.e2e.ProcessSystem.Node;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.ChildProcess;
import io.vda.projections.ProjectionsMain;
import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import io.vda.schema.common.EventMetadata;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
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
 * Every control-plane process killed with SIGKILL and restarted while a client's commands are in flight: no command
 * lost, none applied twice, the allocator's books balance, the projections equal a rebuild, and the system
 * converges. The control plane runs as real processes ({@link ProcessSystem}); Kafka and etcd are the
 * {@link LocalClusterExtension}'s and stay up. The first test drives the real {@code vda} CLI (a rejection with the
 * allocator's reason, a create that becomes ready) on the same system.
 */
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(480)
class RestartEverythingIT {
    private static final Logger LOG = LoggerFactory.getLogger(RestartEverythingIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /**
     * Bound on a restarted process coming back and on convergence after the kills: a node agent's JVM took 30-55 s
     * to reconcile again on a machine at load 20 (measured), all four agents restarting within seconds.
     */
    private static final Duration AFTER_RESTARTS = Duration.ofSeconds(150);
    private static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final List<String> NODES = List.of("dn1", "dn2", "cn1", "cn2");
    private static final List<String> PDS = List.of("pd1", "pd2");
    private static final int LANES = 3;
    private static final int STEPS = 8;
    /** The first kill after this many definitive answers, then one more kill every KILL_EVERY answers. */
    private static final int FIRST_KILL = 6;
    private static final int KILL_EVERY = 5;

    private static TestCluster cluster;
    private static ProcessSystem system;
    private static Client etcd;
    private static SchemaRegistry registry;
    private static CommandDriver driver;

    @BeforeAll
    static void setUp(TestCluster testCluster) throws Exception {
        cluster = testCluster;
        long start = System.nanoTime();
        // Heartbeat grace generous: a dozen JVMs on 2 shared cores; an agent's restart must not look like a failure
        system = ProcessSystem.start(new ProcessSystem.Settings(cluster.bootstrapServers(), cluster.etcdEndpoint(),
                cluster.prefix(), cluster.etcdRoot(), cluster.workDir().resolve(cluster.prefix()), NODES,
                Duration.ofSeconds(8)));
        etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, system.keys(), Duration.ofSeconds(10)));
        driver = new CommandDriver(system.api(), AFTER_RESTARTS);

        // Given 2 disk nodes with 2 malloc PDs of 1 GiB each and 2 controller nodes, registered through the API
        for (String dn : List.of("dn1", "dn2")) {
            expectAnswer(CommandDriver.create("/v1/disk-nodes", Map.of("dnName", dn, "nvmfListener",
                    system.node(dn).listener()), "CreateDiskNode", "SUCCEEDED", null));
            for (String pd : PDS) {
                expectAnswer(CommandDriver.create("/v1/disk-nodes/" + dn + "/physical-disks", Map.of("pdName", pd,
                        "backing", Map.of("type", "malloc", "sizeBytes", GIB)), "CreatePhysicalDisk", "SUCCEEDED",
                        null));
            }
        }
        for (String cn : List.of("cn1", "cn2")) {
            expectAnswer(CommandDriver.create("/v1/controller-nodes", Map.of("cnName", cn, "nvmfListener",
                    system.node(cn).listener()), "CreateControllerNode", "SUCCEEDED", null));
        }
        LOG.info("RestartEverythingIT: {} processes and {} emulators up, nodes registered in {} ms",
                system.componentNames().size(), NODES.size(), (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void tearDown() {
        if (system != null) {
            system.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private static Answer expectAnswer(Issued issued) {
        Answer a = driver.issue(issued);
        assertThat(a.status()).as(issued.describe() + " -> " + a).isEqualTo(issued.expectedStatus());
        return a;
    }

    // --------------------------------------------------------------------------------------------- the CLI

    @Test
    @Order(1)
    void shouldShowTheAllocatorsReasonThroughTheCliAndCreateAReadyDiskArray() throws Exception {
        // When a disk array larger than the disk nodes' free space is created through the vda CLI
        Cli big = cli("da", "create", "cli-huge", "--size", "64GiB", "--strip-cnt", "2");

        // Then it exits with the rejection code and names the allocator's reason and message
        assertThat(big.exitCode()).as(big.output()).isEqualTo(4);
        assertThat(big.output()).contains("Command rejected: INSUFFICIENT_CAPACITY: ");
        String commandId = big.output().lines().filter(l -> l.trim().startsWith("command: ")).findFirst()
                .orElseThrow().trim().substring("command: ".length());
        JsonNode outcome = JSON.readTree(system.get("/v1/commands/" + commandId).body());
        assertThat(outcome.path("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");
        assertThat(outcome.path("message").asText()).isNotBlank();
        assertThat(big.output()).contains(outcome.path("message").asText());

        // When a disk array that fits is created through the CLI (which follows the command to its outcome)
        Cli good = cli("da", "create", "cli-db", "--size", "64MiB", "--strip-cnt", "2", "--cntlr-cnt", "2");
        assertThat(good.exitCode()).as(good.output()).isZero();
        assertThat(good.output()).contains("cli-db");

        // Then it becomes ready, and `vda da get` shows it so
        awaitDiskArrayState("cli-db", "ready");
        Cli get = cli("da", "get", "cli-db");
        assertThat(get.exitCode()).as(get.output()).isZero();
        assertThat(get.output().lines().filter(l -> l.startsWith("cli-db")).findFirst().orElseThrow())
                .contains("ready");
    }

    private record Cli(int exitCode, String output) {
    }

    /** Runs the real CLI main class ({@code infra/bin/vda} runs the same) in its own JVM against the gateway. */
    private static Cli cli(String... args) throws IOException, InterruptedException {
        List<String> command = ChildProcess.javaCommand(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx128m"), "io.vda.command.cli.VdaCli", List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("VDA_API_URL", system.api());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        LOG.info("vda {} -> exit {}\n{}", String.join(" ", args), p.exitValue(), output);
        return new Cli(p.exitValue(), output);
    }

    // ------------------------------------------------------------------------------------------ restart all

    @Test
    @Order(2)
    void shouldLoseNoCommandAndApplyNoneTwiceWhenEveryControlPlaneProcessIsKilledAndRestarted() throws Exception {
        long start = System.nanoTime();
        int exitsBefore = system.unexpectedExits().size();
        Set<String> arraysBefore = documents(system.keys().diskArraysPrefix()).keySet().stream()
                .map(k -> k.substring(system.keys().diskArraysPrefix().length())).collect(Collectors.toSet());

        // When 3 client lanes issue their scripts of creates, exporter creates and deletes (some rejected on
        // purpose) while every control-plane process in turn is killed with SIGKILL and started again
        List<String> victims = system.componentNames();
        Map<String, Integer> inFlightAtKill = new ConcurrentHashMap<>();
        List<CompletableFuture<List<Answer>>> lanes = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            List<Issued> script = script(lane);
            lanes.add(CompletableFuture.supplyAsync(() -> script.stream().map(driver::issue).toList()));
        }
        int base = driver.answered();
        CompletableFuture<Void> chaos = CompletableFuture.runAsync(() -> {
            for (int k = 0; k < victims.size(); k++) {
                int threshold = base + FIRST_KILL + k * KILL_EVERY;
                await().atMost(AFTER_RESTARTS).pollInterval(Duration.ofMillis(20))
                        .until(() -> driver.answered() >= threshold);
                String victim = victims.get(k);
                inFlightAtKill.put(victim, driver.inFlight());
                system.killAndRestart(victim);
            }
        });
        List<Answer> answers = new ArrayList<>();
        for (CompletableFuture<List<Answer>> lane : lanes) {
            answers.addAll(lane.get(300, TimeUnit.SECONDS));
        }
        chaos.get(30, TimeUnit.SECONDS);
        long chaosEnd = System.nanoTime();
        LOG.info("RestartEverythingIT: {} commands answered in {} ms with {} retries ({} answers replayed by the "
                + "gateway); in flight at each kill: {}", answers.size(), (chaosEnd - start) / 1_000_000,
                driver.retries(), driver.replays(), inFlightAtKill);
        assertThat(driver.replays()).as("retries the gateway recognised by their key").isPositive();

        // Then every process was killed once while commands were in flight, and is running again
        for (String victim : victims) {
            assertThat(system.incarnations(victim)).as(victim).isGreaterThanOrEqualTo(2);
            assertThat(inFlightAtKill.get(victim)).as("commands in flight when %s was killed", victim)
                    .isPositive();
        }
        await().atMost(AFTER_RESTARTS).untilAsserted(() -> {
            for (String victim : victims) {
                assertThat(system.isAlive(victim)).as(victim + ":\n" + system.logTail(victim, 30)).isTrue();
            }
        });
        // and every command got the answer its script expects (the rejections are legitimate ones)
        for (Answer a : answers) {
            assertThat(a.status()).as(a.issued().describe() + " -> " + a).isEqualTo(a.issued().expectedStatus());
            if (a.issued().expectedReason() != null) {
                assertThat(a.reason()).as(a.issued().describe()).isEqualTo(a.issued().expectedReason());
            }
        }

        // (1) Exactly one outcome per command: the gateway's idempotency entry names one command id per key, every
        // id the client was told is that id, the outcomes topic holds one decision for it (repeats identical), and
        // etcd shows the same decision; no other command of these types exists (no retry became a second command)
        List<Answer> all = driver.answers();
        Map<String, Answer> byCommandId = new LinkedHashMap<>();
        for (Answer a : all) {
            String id = commandIdOfKey(a.issued().key());
            assertThat(a.commandIds()).as(a.issued().describe()).isSubsetOf(id);
            assertThat(byCommandId.put(id, a)).as("command id %s for two keys", id).isNull();
        }
        Map<String, List<CommandOutcome>> outcomes = new HashMap<>();
        readTopic(system.topics().outcomes(), r -> outcomes.computeIfAbsent(r.key(), k -> new ArrayList<>())
                .add((CommandOutcome) r.value()));
        for (Map.Entry<String, Answer> e : byCommandId.entrySet()) {
            List<CommandOutcome> decided = outcomes.get(e.getKey());
            assertThat(decided).as("outcome of %s", e.getValue().issued().describe()).isNotEmpty();
            assertThat(Set.copyOf(decided)).as("decisions of %s", e.getKey()).hasSize(1);
            CommandOutcome outcome = decided.get(0);
            assertThat(outcome.getStatus().name()).isEqualTo(e.getValue().status());
            assertThat(outcome.getCommandType()).isEqualTo(e.getValue().issued().commandType());
            JsonNode doc = document(system.keys().commandOutcome(e.getKey()));
            assertThat(doc.path("status").asText()).isEqualTo(e.getValue().status());
        }
        Set<String> driverTypes = all.stream().map(a -> a.issued().commandType()).collect(Collectors.toSet());
        Set<String> outcomesOfThoseTypes = outcomes.entrySet().stream()
                .filter(e -> driverTypes.contains(e.getValue().get(0).getCommandType()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<String> cliCommands = new HashSet<>(outcomesOfThoseTypes);
        cliCommands.removeAll(byCommandId.keySet());
        // the only other commands of these types are the first test's two CLI creates
        assertThat(cliCommands).hasSizeLessThanOrEqualTo(2);
        for (String id : cliCommands) {
            assertThat(outcomes.get(id).get(0).getResourceName()).startsWith("cli-");
        }

        // (2) None applied twice: read from the start (read_committed), every event id is unique, each of the
        // client's commands caused exactly one event, of the type its outcome implies, and no resource was created
        // twice
        Map<String, List<String>> eventsByCommand = new HashMap<>();
        Set<String> eventIds = new HashSet<>();
        List<String> duplicateEventIds = new ArrayList<>();
        Map<String, Integer> creations = new TreeMap<>();
        readTopic(system.topics().events(), r -> {
            SpecificRecord event = r.value();
            EventMetadata m = (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
            String type = event.getSchema().getName();
            if (!eventIds.add(m.getEventId())) {
                duplicateEventIds.add(m.getEventId() + " " + type + " " + m.getResourceName());
            }
            eventsByCommand.computeIfAbsent(m.getCommandId(), k -> new ArrayList<>()).add(type);
            if (type.endsWith("Created")) {
                creations.merge(type + " " + m.getResourceName(), 1, Integer::sum);
            }
        });
        assertThat(duplicateEventIds).isEmpty();
        for (Map.Entry<String, Answer> e : byCommandId.entrySet()) {
            Issued issued = e.getValue().issued();
            assertThat(eventsByCommand.get(e.getKey())).as("events of %s", issued.describe())
                    .containsExactly(expectedEvent(issued.commandType(), e.getValue().status()));
        }
        assertThat(creations).allSatisfy((what, times) -> assertThat(times).as(what).isEqualTo(1));

        // (5) The system converges: every surviving disk array ready, the deleted ones gone, and the emulators hold
        // exactly the objects of the surviving arrays
        Set<String> expectedArrays = new TreeSet<>(arraysBefore);
        Map<String, Set<String>> expectedExporters = new TreeMap<>();
        for (Answer a : all) {
            if (!a.status().equals("SUCCEEDED")) {
                continue;
            }
            Issued i = a.issued();
            switch (i.commandType()) {
                case "CreateDiskArray" -> expectedArrays.add((String) i.body().get("daName"));
                case "DeleteDiskArray" -> expectedArrays.remove(i.path().substring(i.path().lastIndexOf('/') + 1));
                case "CreateExporter" -> expectedExporters.computeIfAbsent(i.path().split("/")[3],
                        k -> new TreeSet<>()).add((String) i.body().get("expName"));
                default -> {
                }
            }
        }
        await().atMost(AFTER_RESTARTS).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Map<String, JsonNode> arrays = arrays();
            assertThat(arrays.keySet()).isEqualTo(expectedArrays);
            assertThat(arrays).allSatisfy((name, doc) -> assertThat(doc.path("state").asText())
                    .as(name + ": " + doc.path("status")).isEqualTo("ready"));
        });
        long converged = System.nanoTime();
        Map<String, JsonNode> arrays = arrays();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertEmulatorsHoldExactly(arrays, expectedExporters));

        // (3) The allocator's books balance: per PD, the VDs placed on it fit its usable bytes, its lvstore on the
        // emulator has exactly those bytes allocated, and the allocator agrees with the free space left, PD by PD
        Map<String, Long> free = freeBytesPerPhysicalDisk(arrays);
        for (Node dn : List.of(system.node("dn1"), system.node("dn2"))) {
            for (String pd : PDS) {
                Lvstore lvs = dn.spdk().getLvstore(SpdkNames.pdLvstore(pd)).orElseThrow();
                long allocated = (lvs.totalDataClusters() - lvs.freeClusters()) * lvs.clusterSize();
                assertThat(lvs.freeBytes()).as("free bytes of %s/%s on the emulator", dn.name(), pd)
                        .isEqualTo(free.get(dn.name() + "/" + pd));
                assertThat(allocated).isNotNegative();
            }
        }
        assertAllocatorAgreesWithFreeSpace();
        long booksChecked = System.nanoTime();

        // (4) The projections equal a rebuild from the topics into a fresh etcd root
        assertProjectionsEqualARebuild();
        // and no process ended by itself meanwhile, except a projection that lost its etcd owner lease (on a starved
        // machine the keep-alive can miss the TTL; exiting is its designed answer, and a supervisor restarts it)
        List<String> exits = system.unexpectedExits().subList(exitsBefore, system.unexpectedExits().size());
        exits.forEach(e -> LOG.warn("RestartEverythingIT: {}", e));
        assertThat(exits).allSatisfy(e -> assertThat(e).contains("OwnershipLostException"));
        LOG.info("RestartEverythingIT: chaos {} ms, converged {} ms later, books {} ms, rebuild compared {} ms",
                (chaosEnd - start) / 1_000_000, (converged - chaosEnd) / 1_000_000,
                (booksChecked - converged) / 1_000_000, (System.nanoTime() - booksChecked) / 1_000_000);
    }

    /**
     * A lane's commands, each with the answer it must get: per step a disk array (1 or 2 VDs, 1 or 2 controllers),
     * an exporter on every third, a delete of the previous array (refused IN_USE when it has an exporter, done
     * otherwise), and now and then an array far too big (INSUFFICIENT_CAPACITY).
     */
    private static List<Issued> script(int lane) {
        List<Issued> script = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            String da = "l" + lane + "-da" + s;
            script.add(CommandDriver.create("/v1/disk-arrays", Map.of("daName", da, "sizeBytes",
                    (s % 2 == 0 ? 8 : 16) * MIB, "stripCnt", 1 + s % 2, "cntlrCnt", 1 + (s + lane) % 2),
                    "CreateDiskArray", "SUCCEEDED", null));
            if (s % 3 == 0) {
                script.add(CommandDriver.create("/v1/disk-arrays/" + da + "/exporters", Map.of("expName", "exp1",
                        "hostNqns", List.of(HOST_NQN)), "CreateExporter", "SUCCEEDED", null));
            }
            if (s % 3 == 1) {
                script.add(CommandDriver.delete("/v1/disk-arrays/l" + lane + "-da" + (s - 1), "DeleteDiskArray",
                        "REJECTED", "IN_USE"));
            }
            if (s % 3 == 2) {
                script.add(CommandDriver.delete("/v1/disk-arrays/l" + lane + "-da" + (s - 1), "DeleteDiskArray",
                        "SUCCEEDED", null));
            }
            if (s % 4 == 3) {
                script.add(CommandDriver.create("/v1/disk-arrays", Map.of("daName", "l" + lane + "-big" + s,
                        "sizeBytes", 64 * GIB, "stripCnt", 2), "CreateDiskArray", "REJECTED",
                        "INSUFFICIENT_CAPACITY"));
            }
        }
        return script;
    }

    private static String expectedEvent(String commandType, String status) {
        String resource = commandType.replaceFirst("^(Create|Delete|Modify)", "");
        if (status.equals("REJECTED")) {
            return resource + "Rejected";
        }
        return resource + (commandType.startsWith("Create") ? "Created"
                : commandType.startsWith("Delete") ? "Deleted" : "Modified");
    }

    /** The command id the gateway recorded for a client's Idempotency-Key (ADR 0031's entry). */
    private static String commandIdOfKey(String key) {
        JsonNode entry = document(system.keys().idempotencyKey("key:" + key));
        assertThat(entry).as("idempotency entry of %s", key).isNotNull();
        return entry.path("commandId").asText();
    }

    // ------------------------------------------------------------------------------------- emulator checks

    private static void assertEmulatorsHoldExactly(Map<String, JsonNode> arrays,
            Map<String, Set<String>> exporters) {
        Map<String, Set<String>> vdNqns = new HashMap<>();
        Map<String, String> vdHost = new HashMap<>(); // VD subsystem -> the one host allowed: its array's primary
        Map<String, Set<String>> lvols = new HashMap<>();
        Map<String, Set<String>> raids = new HashMap<>();
        Map<String, Set<String>> exporterNqns = new HashMap<>();
        arrays.forEach((da, doc) -> {
            for (JsonNode vd : doc.path("spec").path("virtualDisks")) {
                String dn = vd.path("dnName").asText();
                int index = vd.path("vdIndex").asInt();
                vdNqns.computeIfAbsent(dn, k -> new TreeSet<>()).add(NvmeNames.virtualDiskNqn(da, index));
                vdHost.put(NvmeNames.virtualDiskNqn(da, index), NvmeNames.controllerHostNqn(LocalSystem.role(doc,
                        "PRIMARY")));
                lvols.computeIfAbsent(dn + "/" + vd.path("pdName").asText(), k -> new TreeSet<>())
                        .add(SpdkNames.vdLvol(da, index));
            }
            for (JsonNode c : doc.path("spec").path("controllers")) {
                String cn = c.path("cnName").asText();
                if (c.path("role").asText().equals("PRIMARY")) {
                    raids.computeIfAbsent(cn, k -> new TreeSet<>()).add(SpdkNames.raid(da));
                }
                for (String exp : exporters.getOrDefault(da, Set.of())) {
                    exporterNqns.computeIfAbsent(cn, k -> new TreeSet<>()).add(NvmeNames.exporterNqn(da, exp));
                }
            }
        });
        for (Node n : system.nodes()) {
            List<NvmfSubsystem> subsystems = n.spdk().getSubsystems();
            List<String> nqns = subsystems.stream().map(NvmfSubsystem::nqn).toList();
            if (n.role().equals("disk")) {
                for (NvmfSubsystem s : subsystems) {
                    if (vdHost.containsKey(s.nqn())) {
                        assertThat(s.hostNqns()).as(n.name() + " " + s.nqn() + " fenced to the primary")
                                .containsExactly(vdHost.get(s.nqn()));
                    }
                }
                assertThat(nqns.stream().filter(q -> q.contains(":vd:"))).as(n.name() + " VD subsystems")
                        .containsExactlyInAnyOrderElementsOf(vdNqns.getOrDefault(n.name(), Set.of()));
                for (String pd : PDS) {
                    assertThat(n.spdk().getLvols(SpdkNames.pdLvstore(pd)).stream().map(Lvol::name))
                            .as(n.name() + "/" + pd + " lvols")
                            .containsExactlyInAnyOrderElementsOf(lvols.getOrDefault(n.name() + "/" + pd, Set.of()));
                }
            } else {
                assertThat(n.spdk().getRaids("all").stream().map(RaidBdev::name)).as(n.name() + " raids")
                        .containsExactlyInAnyOrderElementsOf(raids.getOrDefault(n.name(), Set.of()));
                assertThat(nqns.stream().filter(q -> q.contains(":exp:"))).as(n.name() + " exporter subsystems")
                        .containsExactlyInAnyOrderElementsOf(exporterNqns.getOrDefault(n.name(), Set.of()));
            }
        }
    }

    // ------------------------------------------------------------------------------------- allocator books

    /** "dn/pd" → usable bytes − the bytes of the virtual disks placed on it, from the documents. */
    private static Map<String, Long> freeBytesPerPhysicalDisk(Map<String, JsonNode> arrays) {
        Map<String, Long> free = new TreeMap<>();
        documents(system.keys().physicalDisksPrefix()).forEach((key, doc) -> free.put(
                doc.path("spec").path("dnName").asText() + "/" + doc.path("spec").path("pdName").asText(),
                doc.path("spec").path("usableBytes").asLong()));
        arrays.forEach((da, doc) -> {
            for (JsonNode vd : doc.path("spec").path("virtualDisks")) {
                free.merge(vd.path("dnName").asText() + "/" + vd.path("pdName").asText(),
                        -vd.path("sizeBytes").asLong(), Long::sum);
            }
        });
        assertThat(free).as("no physical disk over-allocated").allSatisfy((pd, bytes) ->
                assertThat(bytes).as(pd).isNotNegative());
        return free;
    }

    /**
     * Fills the physical disks one at a time with single-VD arrays of exactly the emptiest disk's free space as the
     * documents compute it: each must be placed, on a disk with that much free; once all are full a 4 MiB array must
     * be refused. An allocator that counted a placement twice would refuse a fill; one that lost a placement would
     * accept the last array.
     */
    private static void assertAllocatorAgreesWithFreeSpace() {
        long smallestVd = LvstoreGeometry.virtualDiskBytes(4 * MIB, 1, 64);
        for (int i = 0; i < 12; i++) {
            Map<String, Long> free = freeBytesPerPhysicalDisk(arrays());
            long most = free.values().stream().mapToLong(Long::longValue).max().orElse(0);
            if (most < smallestVd) {
                break;
            }
            // the largest array whose single VD fits in `most` bytes
            long size = LvstoreGeometry.dataClusters(most) * LvstoreGeometry.CLUSTER_BYTES;
            String da = "fill" + i;
            expectAnswer(CommandDriver.create("/v1/disk-arrays", Map.of("daName", da, "sizeBytes", size,
                    "stripCnt", 1, "cntlrCnt", 1), "CreateDiskArray", "SUCCEEDED", null));
            JsonNode vd = document(system.keys().diskArray(da)).path("spec").path("virtualDisks").get(0);
            assertThat(free.get(vd.path("dnName").asText() + "/" + vd.path("pdName").asText()))
                    .as("free bytes of the disk %s was placed on", da).isEqualTo(most);
            assertThat(vd.path("sizeBytes").asLong()).isLessThanOrEqualTo(most);
        }
        assertThat(freeBytesPerPhysicalDisk(arrays())).allSatisfy((pd, bytes) ->
                assertThat(bytes).as(pd).isLessThan(smallestVd));
        expectAnswer(CommandDriver.create("/v1/disk-arrays", Map.of("daName", "fill-last", "sizeBytes", 4 * MIB,
                "stripCnt", 1, "cntlrCnt", 1), "CreateDiskArray", "REJECTED", "INSUFFICIENT_CAPACITY"));
    }

    // ------------------------------------------------------------------------------------------- rebuild

    /**
     * Stops the reconciler and the agents (the only sources of new records once the client is done), waits for the
     * live projection to reach the end of its topics, then runs {@code ProjectionsMain --rebuild} into a fresh etcd
     * root and compares every resource and command document. The schema registry lives under the etcd root
     * ({@link EtcdKeys}), so the fresh root gets a copy of it first: same ids, same schemas.
     */
    private static void assertProjectionsEqualARebuild() throws Exception {
        system.stop(ProcessSystem.RECONCILER);
        for (Node n : system.nodes()) {
            system.stop(n.agent());
        }
        Map<TopicPartition, Long> end = endOffsets();
        EtcdKeys live = system.keys();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() -> caughtUp(live, end));
        Map<String, JsonNode> liveDocs = readableDocuments(live);

        EtcdKeys fresh = new EtcdKeys(live.root() + "-rebuild");
        String registryPrefix = live.schemaNextId().substring(0, live.schemaNextId().length() - "next-id".length());
        String freshRegistryPrefix = fresh.schemaNextId().substring(0,
                fresh.schemaNextId().length() - "next-id".length());
        for (KeyValue kv : range(registryPrefix)) {
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            etcd.getKVClient().put(bytes(freshRegistryPrefix + key.substring(registryPrefix.length())),
                    kv.getValue()).get(10, TimeUnit.SECONDS);
        }
        ChildProcess rebuild = system.run("projections-rebuild", ProjectionsMain.class, Map.of(
                "VDA_ETCD_ROOT", fresh.root(), "VDA_PROJECTIONS_GROUP_ID", cluster.prefix() + "-rebuild"),
                List.of("--rebuild"));
        try {
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                    .until(() -> caughtUp(fresh, end) || !rebuild.isAlive());
            assertThat(rebuild.isAlive()).as(rebuild.logTail(40)).isTrue();
        } finally {
            rebuild.stop(Duration.ofSeconds(10));
        }
        Map<String, JsonNode> rebuilt = readableDocuments(fresh);
        assertThat(rebuilt.keySet()).isEqualTo(liveDocs.keySet());
        assertThat(rebuilt).isEqualTo(liveDocs);
        assertThat(liveDocs.keySet()).anyMatch(k -> k.startsWith("resources/disk-arrays/"));
        LOG.info("RestartEverythingIT: {} documents equal a rebuild", liveDocs.size());
    }

    /** Resources and command outcomes, keyed relative to the root. */
    private static Map<String, JsonNode> readableDocuments(EtcdKeys keys) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (String prefix : List.of(keys.resourcesPrefix(), keys.commandsPrefix())) {
            documents(prefix).forEach((key, doc) -> out.put(key.substring(keys.root().length() + 1), doc));
        }
        return out;
    }

    private static boolean caughtUp(EtcdKeys keys, Map<TopicPartition, Long> end) {
        Map<String, JsonNode> stored = documents(keys.projectionOffsetsPrefix());
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            JsonNode next = stored.get(keys.projectionOffset(e.getKey().topic(), e.getKey().partition()));
            if (e.getValue() > 0 && (next == null || next.asLong() < e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** End offsets of the projected topics (nothing is being written to them any more). */
    private static Map<TopicPartition, Long> endOffsets() {
        Topics t = system.topics();
        try (KafkaConsumer<String, byte[]> c = consumer(new org.apache.kafka.common.serialization
                .ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(t.events(), t.status(), t.outcomes())) {
                for (PartitionInfo p : c.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            return c.endOffsets(partitions);
        }
    }

    // ---------------------------------------------------------------------------------------------- reading

    /** Every committed record of a topic from the beginning to its current end. */
    private static void readTopic(String topic, java.util.function.Consumer<ConsumerRecord<String,
            SpecificRecord>> each) {
        try (KafkaConsumer<String, SpecificRecord> c = consumer(AvroSerde.any(registry).deserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading " + topic).isLessThan(deadline);
                for (ConsumerRecord<String, SpecificRecord> r : c.poll(Duration.ofMillis(200))) {
                    each.accept(r);
                }
            }
        }
    }

    private static <V> KafkaConsumer<String, V> consumer(org.apache.kafka.common.serialization.Deserializer<V> v) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new StringDeserializer(), v);
    }

    private static Map<String, JsonNode> arrays() {
        Map<String, JsonNode> out = new TreeMap<>();
        String prefix = system.keys().diskArraysPrefix();
        documents(prefix).forEach((k, v) -> out.put(k.substring(prefix.length()), v));
        return out;
    }

    private static void awaitDiskArrayState(String da, String state) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode doc = document(system.keys().diskArray(da));
            assertThat(doc).as(da).isNotNull();
            assertThat(doc.path("state").asText()).as(da + ": " + doc.path("status")).isEqualTo(state);
        });
    }

    private static JsonNode document(String key) {
        List<KeyValue> kvs = get(key, GetOption.DEFAULT);
        return kvs.isEmpty() ? null : parse(kvs.get(0));
    }

    private static Map<String, JsonNode> documents(String prefix) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (KeyValue kv : range(prefix)) {
            out.put(kv.getKey().toString(StandardCharsets.UTF_8), parse(kv));
        }
        return out;
    }

    private static List<KeyValue> range(String prefix) {
        return get(prefix, GetOption.builder().isPrefix(true).build());
    }

    private static List<KeyValue> get(String key, GetOption option) {
        try {
            return etcd.getKVClient().get(bytes(key), option).get(10, TimeUnit.SECONDS).getKvs();
        } catch (Exception e) {
            throw new IllegalStateException("etcd get " + key + ": " + e, e);
        }
    }

    private static JsonNode parse(KeyValue kv) {
        try {
            return JSON.readTree(kv.getValue().getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(kv.getKey().toString(StandardCharsets.UTF_8), e);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
