package io.vda.projections.document;

import static io.vda.projections.TestEvents.allOk;
import static io.vda.projections.TestEvents.at;
import static io.vda.projections.TestEvents.diskArray;
import static io.vda.projections.TestEvents.diskArrayCreated;
import static io.vda.projections.TestEvents.diskArrayDeleted;
import static io.vda.projections.TestEvents.diskArrayModified;
import static io.vda.projections.TestEvents.diskNodeCreated;
import static io.vda.projections.TestEvents.controllerNodeCreated;
import static io.vda.projections.TestEvents.exporterCreated;
import static io.vda.projections.TestEvents.exporterDeleted;
import static io.vda.projections.TestEvents.failedOver;
import static io.vda.projections.TestEvents.nodeFailed;
import static io.vda.projections.TestEvents.nodeRecovered;
import static io.vda.projections.TestEvents.nodeRedriven;
import static io.vda.projections.TestEvents.nodeStatus;
import static io.vda.projections.TestEvents.physicalDiskCreated;
import static io.vda.projections.TestEvents.rejected;
import static io.vda.projections.TestEvents.status;
import static io.vda.projections.TestEvents.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.schema.EtcdKeys;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.RejectReason;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.model.DiskArray;
import io.vda.schema.status.ObjectState;
import io.vda.schema.status.ObjectStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ProjectorTest {

    private final EtcdKeys keys = new EtcdKeys("/t");
    private final ProjectionKeys projectionKeys = new ProjectionKeys(keys);
    private final Projector projector = new Projector(projectionKeys);
    private final Workspace ws = new Workspace(new DocumentCache(projectionKeys));

    private final DiskArray db1 = diskArray("db1", List.of("dn1", "dn2"), List.of("cn1", "cn2"), 1);

    private void given(Object... inputs) {
        for (Object input : inputs) {
            when(input);
        }
    }

    private void when(Object input) {
        apply(projector, ws, input);
    }

    private static void apply(Projector projector, Workspace ws, Object input) {
        if (input instanceof ObjectStatus s) {
            projector.apply(new ProjectionInput.ObjectStatusReport(s), ws);
        } else if (input instanceof io.vda.schema.status.NodeStatus s) {
            projector.apply(new ProjectionInput.NodeStatusReport(s), ws);
        } else if (input instanceof io.vda.schema.event.CommandOutcome o) {
            projector.apply(new ProjectionInput.Outcome(o), ws);
        } else if (input instanceof ProjectionInput p) {
            projector.apply(p, ws);
        } else {
            projector.apply(new ProjectionInput.Event((SpecificRecord) input), ws);
        }
    }

    private ObjectNode diskArrayDocument() {
        return ws.get(keys.diskArray("db1"));
    }

    private static List<String> errors(JsonNode document) {
        List<String> errors = new ArrayList<>();
        document.path("status").path("errors").forEach(e -> errors.add(e.asText()));
        return errors;
    }

    @Test
    void shouldProjectDiskArrayAsCreatingWithItsSpecWhenNoStatusIsReported() {
        when(diskArrayCreated(db1, at(1)));

        ObjectNode document = diskArrayDocument();
        assertThat(document.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(document.get("kind").asText()).isEqualTo("DISK_ARRAY");
        assertThat(document.get("name").asText()).isEqualTo("db1");
        assertThat(document.get("state").asText()).isEqualTo("creating");
        assertThat(document.path("spec").path("virtualDisks")).hasSize(2);
        assertThat(document.path("spec").path("controllers").get(0).get("role").asText()).isEqualTo("PRIMARY");
        assertThat(document.get("lastCommandId").asText()).isEqualTo("cmd-db1-" + at(1).getEpochSecond());
        assertThat(document.get("updatedAt").asText()).isEqualTo(at(1).toString());
    }

    @Test
    void shouldMarkDiskArrayReadyWhenEveryExpectedObjectReportsOkAtItsEpoch() {
        given(diskArrayCreated(db1, at(1)), exporterCreated("db1", "exp1", at(2)));
        List<ObjectStatus> statuses = allOk(db1, List.of("exp1"), at(3));

        statuses.subList(0, statuses.size() - 1).forEach(this::when);
        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("creating");
        when(statuses.get(statuses.size() - 1));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("ready");
        assertThat(diskArrayDocument().path("status").path("objects")).hasSize(4);
        assertThat(diskArrayDocument().get("updatedAt").asText()).isEqualTo(at(3).toString());
        ObjectNode exporter = ws.get(keys.exporter("db1", "exp1"));
        assertThat(exporter.get("state").asText()).isEqualTo("ready");
        assertThat(exporter.path("placement").path("controllers")).hasSize(2);
        assertThat(exporter.path("status").path("objects")).hasSize(2);
    }

    @Test
    void shouldStayCreatingWhileAnObjectReportsAnOlderEpoch() {
        DiskArray epoch2 = diskArray("db1", List.of("dn1", "dn2"), List.of("cn1", "cn2"), 2);
        given(diskArrayCreated(epoch2, at(1)));

        allOk(db1, List.of(), at(2)).forEach(this::when); // epoch 1 reports

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("creating");
    }

    @Test
    void shouldMarkDiskArrayDegradedWithTheObjectsMessageWhenAnObjectReportsError() {
        given(diskArrayCreated(db1, at(1)));
        allOk(db1, List.of(), at(2)).forEach(this::given);

        when(status("dn2", "vd/db1/1", ResourceKind.DISK_ARRAY, "db1", ObjectState.ERROR,
                "bdev_lvol_create: No space left on device", 1, at(3)));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("degraded");
        assertThat(errors(diskArrayDocument()))
                .containsExactly("vd/db1/1 on dn2: bdev_lvol_create: No space left on device");
    }

    @Test
    void shouldDegradeDiskArrayAndSayRaid0HasNoRedundancyWhenItsDiskNodeFails() {
        given(diskArrayCreated(db1, at(1)));
        allOk(db1, List.of(), at(2)).forEach(this::given);

        when(nodeFailed("dn1", NodeKind.DISK_NODE, List.of("db1"), at(5)));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("degraded");
        assertThat(errors(diskArrayDocument())).singleElement().asString()
                .contains("disk node dn1 failed").contains("raid0 has no redundancy");

        when(nodeRecovered("dn1", NodeKind.DISK_NODE, at(9)));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("ready");
        assertThat(errors(diskArrayDocument())).isEmpty();
        assertThat(diskArrayDocument().get("updatedAt").asText()).isEqualTo(at(9).toString());
    }

    @Test
    void shouldDegradeDiskArrayNamedByNodeFailedEvenWhenTheNodeIsNotInItsPlacement() {
        given(diskArrayCreated(db1, at(1)));

        when(nodeFailed("dn9", NodeKind.DISK_NODE, List.of("db1"), at(5)));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("degraded");
    }

    @Test
    void shouldFollowAFailoverToTheNewEpoch() {
        given(diskArrayCreated(db1, at(1)));
        allOk(db1, List.of(), at(2)).forEach(this::given);
        DiskArray afterFailover = diskArray("db1", List.of("dn1", "dn2"), List.of("cn2"), 2);

        when(failedOver(afterFailover, "cn1", at(4)));
        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("creating");
        allOk(afterFailover, List.of(), at(5)).forEach(this::when);

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("ready");
        assertThat(diskArrayDocument().path("spec").get("epoch").asLong()).isEqualTo(2);
    }

    @Test
    void shouldAttachStatusesThatArrivedBeforeTheirDocument() {
        allOk(db1, List.of(), at(2)).forEach(this::given);
        given(nodeStatus("dn1", NodeKind.DISK_NODE, true, at(2)));
        assertThat(diskArrayDocument()).isNull();
        assertThat(ws.withPrefix(projectionKeys.unattachedPrefix())).hasSize(5);

        when(diskArrayCreated(db1, at(1)));
        when(diskNodeCreated("dn1", at(1)));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("ready");
        assertThat(ws.get(keys.diskNode("dn1")).get("state").asText()).isEqualTo("ready");
        assertThat(ws.withPrefix(projectionKeys.unattachedPrefix())).isEmpty();
    }

    @Test
    void shouldRemoveDiskArrayAndItsExportersWhenTheDiskArrayIsDeleted() {
        given(diskArrayCreated(db1, at(1)), exporterCreated("db1", "exp1", at(2)),
                exporterCreated("db1", "exp2", at(2)));

        when(diskArrayDeleted(db1, at(3)));

        assertThat(ws.withPrefix(keys.resourcesPrefix())).isEmpty();
    }

    @Test
    void shouldCountAnExporterAmongTheDiskArraysObjectsUntilItIsDeleted() {
        given(diskArrayCreated(db1, at(1)));
        allOk(db1, List.of(), at(2)).forEach(this::given);
        given(exporterCreated("db1", "exp1", at(3)));
        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("creating");

        when(exporterDeleted("db1", "exp1", at(4)));

        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("ready");
        assertThat(ws.get(keys.exporter("db1", "exp1"))).isNull();
    }

    @Test
    void shouldRemoveAStatusEntryWhenTheObjectReportsDeleted() {
        given(diskArrayCreated(db1, at(1)));
        allOk(db1, List.of(), at(2)).forEach(this::given);

        when(status("dn1", "vd/db1/0", ResourceKind.DISK_ARRAY, "db1", ObjectState.DELETED, null, 1, at(3)));

        assertThat(diskArrayDocument().path("status").path("objects")).hasSize(3);
        assertThat(diskArrayDocument().get("state").asText()).isEqualTo("creating");
    }

    @Test
    void shouldChangeNothingWhenARecordIsAppliedAgain() {
        given(diskArrayCreated(db1, at(1)), exporterCreated("db1", "exp1", at(2)));
        allOk(db1, List.of("exp1"), at(3)).forEach(this::given);
        given(nodeFailed("dn1", NodeKind.DISK_NODE, List.of("db1"), at(5)));
        Map<String, ObjectNode> before = ws.withPrefix("/t/");

        given(diskArrayCreated(db1, at(1)), exporterCreated("db1", "exp1", at(2)));
        allOk(db1, List.of("exp1"), at(3)).forEach(this::given);
        given(nodeFailed("dn1", NodeKind.DISK_NODE, List.of("db1"), at(5)));

        assertThat(ws.withPrefix("/t/")).isEqualTo(before);
    }

    @Test
    void shouldIgnoreAnEventOlderThanTheOneTheDocumentReflects() {
        DiskArray bigger = DiskArray.newBuilder(db1).setDescription("newer").build();
        given(diskArrayCreated(db1, at(1)), diskArrayModified(bigger, at(5)));

        when(diskArrayModified(db1, at(3)));

        assertThat(diskArrayDocument().path("spec").get("description").asText()).isEqualTo("newer");
    }

    @Test
    void shouldReportNodesAsCreatingUntilObservedThenReadyOrFailed() {
        given(diskNodeCreated("dn1", at(1)), controllerNodeCreated("cn1", at(1)),
                physicalDiskCreated("dn1", "pd0", at(1)));
        assertThat(ws.get(keys.diskNode("dn1")).get("state").asText()).isEqualTo("creating");

        when(nodeStatus("dn1", NodeKind.DISK_NODE, true, at(2)));
        when(nodeStatus("cn1", NodeKind.CONTROLLER_NODE, false, at(2)));
        when(status("dn1", "pd/pd0", ResourceKind.PHYSICAL_DISK, "dn1/pd0", ObjectState.OK, null, 0, at(2)));
        assertThat(ws.get(keys.diskNode("dn1")).get("state").asText()).isEqualTo("ready");
        assertThat(ws.get(keys.physicalDisk("dn1", "pd0")).get("state").asText()).isEqualTo("ready");
        assertThat(ws.get(keys.controllerNode("cn1")).get("state").asText()).isEqualTo("degraded");
        assertThat(errors(ws.get(keys.controllerNode("cn1")))).singleElement().asString()
                .contains("SPDK is not reachable on cn1");

        when(nodeFailed("dn1", NodeKind.DISK_NODE, List.of(), at(3)));

        assertThat(ws.get(keys.diskNode("dn1")).get("state").asText()).isEqualTo("failed");
        assertThat(ws.get(keys.physicalDisk("dn1", "pd0")).get("state").asText()).isEqualTo("failed");
    }

    @Test
    void shouldRecordTheLatestRedriveOnTheNodesDocumentWhateverTheOrder() {
        given(diskNodeCreated("dn1", at(1)), controllerNodeCreated("cn1", at(1)));

        when(nodeRedriven("dn1", NodeKind.DISK_NODE, List.of("vd/db1/0"), at(10)));
        when(nodeRedriven("dn1", NodeKind.DISK_NODE, List.of("pd/pd0"), at(5)));
        when(nodeRedriven("cn9", NodeKind.CONTROLLER_NODE, List.of("cntlr/db1"), at(6)));

        JsonNode redrive = ws.get(keys.diskNode("dn1")).get("lastRedrive");
        assertThat(redrive.get("at").asText()).isEqualTo(at(10).toString());
        assertThat(redrive.get("objectKeys").get(0).asText()).isEqualTo("vd/db1/0");
        assertThat(redrive.get("reason").asText()).isEqualTo("stuck past the drift bound");
        assertThat(redrive.get("recordsEmitted").asInt()).isEqualTo(4);
        assertThat(ws.get(keys.diskNode("dn1")).get("updatedAt").asText()).isEqualTo(at(10).toString());
        assertThat(ws.get(keys.controllerNode("cn1")).has("lastRedrive")).isFalse();
        assertThat(ws.get(keys.controllerNode("cn9"))).isNull();
    }

    @Test
    void shouldWriteCommandOutcomesUnderTheirCommandId() {
        when(succeeded("c1", "CreateDiskArray", ResourceKind.DISK_ARRAY, "db1", at(1)));
        when(rejected("c2", "CreateDiskArray", ResourceKind.DISK_ARRAY, "db2", RejectReason.INSUFFICIENT_CAPACITY,
                "no room", at(2)));

        ObjectNode ok = ws.get(keys.commandOutcome("c1"));
        assertThat(ok.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(ok.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ok.get("reason").isNull()).isTrue();
        assertThat(ok.get("decidedAt").asText()).isEqualTo(at(1).toString());
        ObjectNode refused = ws.get(keys.commandOutcome("c2"));
        assertThat(refused.get("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");
        assertThat(refused.get("message").asText()).isEqualTo("no room");

        when(new ProjectionInput.OutcomeRemoved("c1"));
        assertThat(ws.get(keys.commandOutcome("c1"))).isNull();
    }

    @Test
    void shouldProduceTheSameDocumentsWhateverTheInterleavingOfPartitions() {
        // Three "partitions" each in its own order; any interleaving must give the same documents.
        DiskArray afterFailover = diskArray("db1", List.of("dn1", "dn2"), List.of("cn2"), 2);
        List<Object> daPartition = List.of(diskArrayCreated(db1, at(1)), failedOver(afterFailover, "cn1", at(20)));
        List<Object> otherEvents = List.of(exporterCreated("db1", "exp1", at(2)), diskNodeCreated("dn1", at(1)),
                nodeFailed("cn1", NodeKind.CONTROLLER_NODE, List.of("db1"), at(19)),
                nodeRedriven("dn1", NodeKind.DISK_NODE, List.of("vd/db1/0"), at(23)));
        List<Object> statusPartition = new ArrayList<>(allOk(db1, List.of("exp1"), at(10)));
        statusPartition.addAll(allOk(afterFailover, List.of("exp1"), at(21)));
        statusPartition.add(status("dn2", "vd/db1/1", ResourceKind.DISK_ARRAY, "db1", ObjectState.ERROR, "io error",
                2, at(22)));
        statusPartition.add(nodeStatus("dn1", NodeKind.DISK_NODE, true, at(3)));

        Map<String, ObjectNode> reference = null;
        Random random = new Random(42);
        for (int round = 0; round < 30; round++) {
            Workspace fresh = new Workspace(new DocumentCache(projectionKeys));
            List<List<Object>> partitions = List.of(new ArrayList<>(daPartition), new ArrayList<>(otherEvents),
                    new ArrayList<>(statusPartition));
            int[] next = new int[3];
            List<Integer> order = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                order.addAll(Collections.nCopies(partitions.get(p).size(), p));
            }
            Collections.shuffle(order, random);
            for (int p : order) {
                apply(projector, fresh, partitions.get(p).get(next[p]++));
            }
            Map<String, ObjectNode> documents = new LinkedHashMap<>(fresh.withPrefix(keys.resourcesPrefix()));
            if (reference == null) {
                reference = documents;
            } else {
                assertThat(documents).as("interleaving %s", order).isEqualTo(reference);
            }
        }
        assertThat(reference.get(keys.diskArray("db1")).get("state").asText()).isEqualTo("degraded");
    }
}
