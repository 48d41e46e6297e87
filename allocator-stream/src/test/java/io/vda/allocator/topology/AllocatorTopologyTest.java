package io.vda.allocator.topology;

import io.vda.schema.DeadLetterHeaders;
import static io.vda.allocator.TestCommands.GIB;
import static io.vda.allocator.TestCommands.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.vda.allocator.AllocatorConfig;
import io.vda.allocator.TestCommands;
import io.vda.allocator.domain.LvstoreGeometry;
import io.vda.schema.Topics;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.RejectReason;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.CommandStatus;
import io.vda.schema.event.ControllerFailedOver;
import io.vda.schema.event.DiskArrayCreated;
import io.vda.schema.event.DiskArrayRejected;
import io.vda.schema.event.NodeRedriven;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.VirtualDiskPlacement;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.InMemorySchemaRegistry;
import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.VirtualDiskSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllocatorTopologyTest {

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics("ttd");
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<SpecificRecord> any = AvroSerde.any(registry);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, SpecificRecord> events;
    private TestOutputTopic<String, CommandOutcome> outcomes;

    @BeforeEach
    void start() {
        AllocatorConfig config = AllocatorConfig.fromMap(Map.of(
                AllocatorConfig.TOPIC_PREFIX.name(), topics.prefix(),
                AllocatorConfig.STATE_DIR.name(), stateDir.toString(),
                AllocatorConfig.APP_ID.name(), "allocator-ttd"));
        driver = new TopologyTestDriver(AllocatorTopology.build(config, registry),
                AllocatorTopology.streamsProperties(config));
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(topics.events(), new StringDeserializer(), any.deserializer());
        outcomes = driver.createOutputTopic(topics.outcomes(), new StringDeserializer(),
                AvroSerde.of(registry, CommandOutcome.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldPlaceADiskArrayAndPublishTheDesiredStateOfEveryNodeItTouches() {
        givenCluster(1, 4 * GIB, "a", "b", "c");

        CommandOutcome outcome = send(TestCommands.createDiskArray("db1", 3 * GIB, 3, 2));

        assertThat(outcome.getStatus()).as(outcome.getMessage()).isEqualTo(CommandStatus.SUCCEEDED);
        DiskArray da = lastCreated();
        String primaryNqn = NvmeNames.controllerHostNqn(primary(da));
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            Map<String, SpecificRecord> state = nodeState(vd.getDnName());
            VirtualDiskSpec spec = (VirtualDiskSpec) state.get("vd/db1/" + vd.getVdIndex());
            assertThat(spec.getPdName()).isEqualTo(vd.getPdName());
            assertThat(spec.getAllowedHostNqn()).isEqualTo(primaryNqn);
            assertThat(state).containsKeys("node", "pd/pd1");
        }
        for (var cp : da.getControllers()) {
            ControllerSpec spec = (ControllerSpec) nodeState(cp.getCnName()).get("cntlr/db1");
            assertThat(spec.getRole()).isEqualTo(cp.getRole());
            assertThat(spec.getVirtualDisks()).hasSize(3);
            assertThat(spec.getLvstoreInitialized()).isFalse();
        }
    }

    @Test
    void shouldSpreadVirtualDisksAcrossLocations() {
        givenCluster(3, 4 * GIB, "a", "b", "c");

        send(TestCommands.createDiskArray("db1", 3 * GIB, 3, 1));

        assertThat(lastCreated().getVirtualDisks()).extracting(vd -> vd.getDnName().substring(3, 4))
                .containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void shouldNeverPutTwoVirtualDisksOfOneArrayOnOneDiskNode() {
        for (String dn : List.of("dn1", "dn2")) {
            send(TestCommands.createDiskNode(dn, ""));
            for (int p = 1; p <= 3; p++) {
                send(TestCommands.createPhysicalDisk(dn, "pd" + p, 100 * GIB));
            }
        }
        send(TestCommands.createControllerNode("cn1", ""));

        CommandOutcome three = send(TestCommands.createDiskArray("db1", GIB, 3, 1));
        CommandOutcome two = send(TestCommands.createDiskArray("db2", GIB, 2, 1));

        assertThat(three.getReason()).isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        assertThat(three.getMessage()).contains("only 2 physical disks on distinct disk nodes");
        assertThat(two.getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(lastCreated().getVirtualDisks()).extracting(VirtualDiskPlacement::getDnName)
                .containsExactlyInAnyOrder("dn1", "dn2");
    }

    @Test
    void shouldRejectWhenCapacityIsInsufficientWithAReasonAndAMessageAUserCanActOn() {
        givenCluster(1, 30 * GIB, "a", "b", "c");

        CommandOutcome outcome = send(TestCommands.createDiskArray("db1", 100 * GIB, 4, 1));

        assertThat(outcome.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(outcome.getReason()).isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        assertThat(outcome.getMessage()).startsWith("disk array 'db1' needs 4 virtual disks of 25.0 GiB; only 3"
                + " physical disks on distinct disk nodes have 25.0 GiB free");
        List<SpecificRecord> emitted = events.readValuesToList();
        assertThat(emitted.get(emitted.size() - 1)).isInstanceOfSatisfying(DiskArrayRejected.class,
                r -> assertThat(r.getReason()).isEqualTo(RejectReason.INSUFFICIENT_CAPACITY));
    }

    @Test
    void shouldSkipOfflineAndFailedNodes() {
        givenCluster(1, 4 * GIB, "a", "b", "c");
        send(TestCommands.setDiskNodeOffline("dn-a1", true));
        send(TestCommands.markNodeFailed("dn-b1", NodeKind.DISK_NODE));

        CommandOutcome two = send(TestCommands.createDiskArray("db1", GIB, 2, 1));
        CommandOutcome one = send(TestCommands.createDiskArray("db2", GIB, 1, 1));

        assertThat(two.getReason()).isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        assertThat(one.getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(lastCreated().getVirtualDisks().get(0).getDnName()).isEqualTo("dn-c1");
    }

    @Test
    void shouldFreeExactlyWhatADeletedArrayTookSoTheSameSizeFitsAgain() {
        long disk = 1 * GIB;
        long whole = LvstoreGeometry.usableBytes(disk) - LvstoreGeometry.CLUSTER_BYTES; // array lvstore metadata
        givenCluster(1, disk, "a");

        assertThat(send(TestCommands.createDiskArray("db1", whole, 1, 1)).getStatus())
                .isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(send(TestCommands.createDiskArray("db2", 8 * MIB, 1, 1)).getReason())
                .isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        assertThat(send(TestCommands.deleteDiskArray("db1")).getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(nodeState("dn-a1")).doesNotContainKey("vd/db1/0");
        assertThat(send(TestCommands.createDiskArray("db3", whole, 1, 1)).getStatus())
                .isEqualTo(CommandStatus.SUCCEEDED);
    }

    @Test
    void shouldAnswerARepeatedCommandIdWithTheSameOutcomeAndChangeNothing() {
        givenCluster(1, 4 * GIB, "a", "b");
        var create = TestCommands.createDiskArray("db1", GIB, 2, 1);
        CommandOutcome first = send(create);
        events.readValuesToList();
        nodeState("dn-a1");

        CommandOutcome again = send(create);

        assertThat(again).isEqualTo(first);
        assertThat(events.isEmpty()).isTrue();
        assertThat(driver.createOutputTopic(topics.node("dn-a1"), new StringDeserializer(),
                new ByteArrayDeserializer()).getQueueSize()).isZero();
    }

    @Test
    void shouldForgetCommandIdsOlderThanTheOutcomeRetention() {
        var create = TestCommands.createDiskNode("dn1", "");
        assertThat(send(create).getStatus()).isEqualTo(CommandStatus.SUCCEEDED);

        driver.advanceWallClockTime(java.time.Duration.ofDays(8));
        CommandOutcome decidedAgain = send(create);

        // no longer deduplicated: decided afresh against the model, where dn1 now exists
        assertThat(decidedAgain.getReason()).isEqualTo(RejectReason.ALREADY_EXISTS);
    }

    @Test
    void shouldRejectDeletingAPhysicalDiskThatHostsVirtualDisksSayingWhichArrays() {
        givenCluster(1, 4 * GIB, "a");
        send(TestCommands.createDiskArray("db1", GIB, 1, 1));

        CommandOutcome outcome = send(TestCommands.deletePhysicalDisk("dn-a1", "pd1"));

        assertThat(outcome.getReason()).isEqualTo(RejectReason.IN_USE);
        assertThat(outcome.getMessage()).isEqualTo("physical disk 'dn-a1/pd1' hosts virtual disks of disk array"
                + " 'db1' (1.0 GiB); delete it first");
    }

    @Test
    void shouldFailOverToASecondaryAndMoveTheFenceToTheNewPrimary() {
        givenCluster(1, 4 * GIB, "a", "b");
        send(TestCommands.createDiskArray("db1", GIB, 2, 2));
        DiskArray da = lastCreated();
        String oldPrimary = primary(da);
        send(TestCommands.markDiskArrayInitializedBy(da, oldPrimary));
        send(TestCommands.markNodeFailed(oldPrimary, NodeKind.CONTROLLER_NODE));

        CommandOutcome outcome = send(TestCommands.failover("db1", oldPrimary, 1));
        CommandOutcome stale = send(TestCommands.failover("db1", oldPrimary, 1));

        assertThat(outcome.getStatus()).as(outcome.getMessage()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(stale.getReason()).isEqualTo(RejectReason.STALE);
        ControllerFailedOver event = events.readValuesToList().stream()
                .filter(ControllerFailedOver.class::isInstance).map(ControllerFailedOver.class::cast)
                .findFirst().orElseThrow();
        String newPrimary = event.getNewPrimaryCnName();
        assertThat(newPrimary).isNotEqualTo(oldPrimary);
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            VirtualDiskSpec spec = (VirtualDiskSpec) nodeState(vd.getDnName()).get("vd/db1/" + vd.getVdIndex());
            assertThat(spec.getAllowedHostNqn()).isEqualTo(NvmeNames.controllerHostNqn(newPrimary));
            assertThat(spec.getEpoch()).isEqualTo(2);
        }
        ControllerSpec promoted = (ControllerSpec) nodeState(newPrimary).get("cntlr/db1");
        assertThat(promoted.getRole()).isEqualTo(ControllerRole.PRIMARY);
        assertThat(promoted.getLvstoreInitialized()).isTrue();
        ControllerSpec demoted = (ControllerSpec) nodeState(oldPrimary).get("cntlr/db1");
        assertThat(demoted.getRole()).isEqualTo(ControllerRole.SECONDARY);
        assertThat(demoted.getEpoch()).isEqualTo(2);
    }

    @Test
    void shouldParkAGarbageRecordOnTheDeadLetterTopicAndStillAnswerTheNextCommand() {
        commands.pipeInput("garbage", "not avro at all".getBytes(StandardCharsets.UTF_8));

        CommandOutcome next = send(TestCommands.createDiskNode("dn1", ""));

        TestOutputTopic<String, byte[]> dead = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(),
                new ByteArrayDeserializer());
        TestRecord<String, byte[]> parked = dead.readRecord();
        assertThat(parked.key()).isEqualTo("garbage");
        assertThat(new String(parked.value(), StandardCharsets.UTF_8)).isEqualTo("not avro at all");
        assertThat(header(parked, DeadLetterHeaders.ORIGIN_TOPIC)).isEqualTo(topics.commands());
        assertThat(header(parked, DeadLetterHeaders.ORIGIN_OFFSET)).isEqualTo("0");
        assertThat(header(parked, DeadLetterHeaders.ERROR)).contains("SerializationException");
        assertThat(next.getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
    }

    @Test
    void shouldReEmitTheWholeDesiredStateOfANodeWhenItIsRedriven() {
        // Given a history with creates, an exporter, an initialisation, a node failure and a failover
        givenCluster(1, 4 * GIB, "a", "b");
        send(TestCommands.createDiskArray("db1", GIB, 2, 2));
        send(TestCommands.createDiskArray("db2", GIB, 1, 1));
        DiskArray da = lastCreatedOf("db1");
        String oldPrimary = primary(da);
        send(TestCommands.createExporter("db1", "exp1", "nqn.2024-01.io.example:host1"));
        send(TestCommands.markDiskArrayInitializedBy(da, oldPrimary));
        send(TestCommands.markNodeFailed(oldPrimary, NodeKind.CONTROLLER_NODE));
        assertSucceeded(send(TestCommands.failover("db1", oldPrimary, 1)));
        send(TestCommands.createDiskArray("gone", GIB, 1, 1));
        send(TestCommands.deleteDiskArray("gone"));
        events.readValuesToList();

        for (String node : List.of("dn-a1", "dn-b1", "cn1", "cn2")) {
            // the node's desired state as its topic holds it, read from the start
            Map<String, SpecificRecord> expected = Map.copyOf(nodeState(node));
            NodeKind kind = node.startsWith("dn") ? NodeKind.DISK_NODE : NodeKind.CONTROLLER_NODE;

            // When the node is re-driven
            CommandOutcome outcome = send(TestCommands.redrive(node, kind, "vd/db1/0"));

            // Then every record of its desired state is emitted again, with the same values, and nothing else
            assertSucceeded(outcome);
            List<TestRecord<String, SpecificRecord>> reEmitted = driver.createOutputTopic(topics.node(node),
                    new StringDeserializer(), any.deserializer()).readRecordsToList();
            Map<String, SpecificRecord> again = new HashMap<>();
            reEmitted.forEach(r -> again.put(r.key(), r.value()));
            assertThat(reEmitted).as(node).hasSize(expected.size());
            assertThat(again).as(node).isEqualTo(expected);
            NodeRedriven event = (NodeRedriven) events.readValuesToList().get(0);
            assertThat(event.getNodeName()).isEqualTo(node);
            assertThat(event.getNodeKind()).isEqualTo(kind);
            assertThat(event.getObjectKeys()).containsExactly("vd/db1/0");
            assertThat(event.getRecordsEmitted()).isEqualTo(expected.size());
            assertThat(event.getMetadata().getCommandId()).isEqualTo(outcome.getCommandId());
        }
        assertThat(nodeState("cn1")).containsKeys("node", "cntlr/db1", "exp/db1/exp1");
    }

    @Test
    void shouldRejectRedrivingAnUnknownNode() {
        givenCluster(1, 4 * GIB, "a");

        CommandOutcome outcome = send(TestCommands.redrive("dn-nowhere", NodeKind.DISK_NODE, "pd/pd1"));

        assertThat(outcome.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(outcome.getReason()).isEqualTo(RejectReason.NOT_FOUND);
        assertThat(outcome.getMessage()).isEqualTo("disk node 'dn-nowhere' does not exist");
        assertThat(driver.createOutputTopic(topics.node("dn-nowhere"), new StringDeserializer(),
                new ByteArrayDeserializer()).getQueueSize()).isZero();
    }

    @Test
    void shouldAnswerARepeatedRedriveWithTheSameOutcomeAndNoSecondReEmission() {
        givenCluster(1, 4 * GIB, "a");
        send(TestCommands.createDiskArray("db1", GIB, 1, 1));
        nodeState("dn-a1");
        var redrive = TestCommands.redrive("dn-a1", NodeKind.DISK_NODE, "vd/db1/0");
        CommandOutcome first = send(redrive);
        nodeState("dn-a1");
        events.readValuesToList();

        CommandOutcome again = send(redrive);

        assertThat(again).isEqualTo(first);
        assertThat(events.isEmpty()).isTrue();
        assertThat(driver.createOutputTopic(topics.node("dn-a1"), new StringDeserializer(),
                new ByteArrayDeserializer()).getQueueSize()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private void givenCluster(int nodesPerLocation, long diskBytes, String... locations) {
        for (String location : locations) {
            for (int i = 1; i <= nodesPerLocation; i++) {
                String dn = "dn-" + location + i;
                assertSucceeded(send(TestCommands.createDiskNode(dn, location)));
                assertSucceeded(send(TestCommands.createPhysicalDisk(dn, "pd1", diskBytes)));
            }
        }
        assertSucceeded(send(TestCommands.createControllerNode("cn1", "")));
        assertSucceeded(send(TestCommands.createControllerNode("cn2", "")));
    }

    private static void assertSucceeded(CommandOutcome outcome) {
        assertThat(outcome.getStatus()).as(outcome.getMessage()).isEqualTo(CommandStatus.SUCCEEDED);
    }

    private CommandOutcome send(SpecificRecord command) {
        commands.pipeInput(TestCommands.keyOf(command), any.serializer().serialize(topics.commands(), command));
        List<CommandOutcome> all = outcomes.readValuesToList();
        assertThat(all).as("outcomes of one command").hasSize(1);
        return all.get(0);
    }

    private DiskArray lastCreated() {
        List<SpecificRecord> all = events.readValuesToList();
        return all.stream().filter(DiskArrayCreated.class::isInstance).map(e -> ((DiskArrayCreated) e).getDiskArray())
                .reduce((a, b) -> b).orElseThrow();
    }

    private DiskArray lastCreatedOf(String daName) {
        return events.readValuesToList().stream().filter(DiskArrayCreated.class::isInstance)
                .map(e -> ((DiskArrayCreated) e).getDiskArray()).filter(d -> d.getDaName().equals(daName))
                .reduce((a, b) -> b).orElseThrow();
    }

    private final Map<String, Map<String, SpecificRecord>> nodeStates = new HashMap<>();

    /** A node's desired state: its topic read from the start, last value per key, tombstones removing. */
    private Map<String, SpecificRecord> nodeState(String node) {
        Map<String, SpecificRecord> state = nodeStates.computeIfAbsent(node, n -> new HashMap<>());
        driver.createOutputTopic(topics.node(node), new StringDeserializer(), any.deserializer())
                .readRecordsToList().forEach(r -> {
                    if (r.value() == null) {
                        state.remove(r.key());
                    } else {
                        state.put(r.key(), r.value());
                    }
                });
        return state;
    }

    private static String primary(DiskArray da) {
        return da.getControllers().stream().filter(c -> c.getRole() == ControllerRole.PRIMARY)
                .map(c -> c.getCnName()).collect(Collectors.joining());
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
