package io.vda.projections;

import static io.vda.projections.TestEvents.atMillis;

import io.vda.schema.RecordKeys;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.model.DiskArray;
import io.vda.schema.status.ObjectState;
import io.vda.schema.status.ObjectStatus;
import io.vda.schema.common.EventMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * A deterministic stream of records as a cluster would see them: nodes and physical disks, then disk arrays each
 * with an exporter, their command outcomes, and their objects' status reports (OK, sometimes an ERROR), one
 * millisecond apart.
 */
public final class Workload {

    /** One record for a topic: which topic ("events", "status", "outcomes"), key, value, and when it was produced. */
    public record Item(String topic, String key, SpecificRecord value, Instant at) {
    }

    private Workload() {
    }

    /** About {@code records} records (exactly, by trimming the last disk array's). */
    public static List<Item> generate(int records) {
        List<Item> items = new ArrayList<>();
        int diskNodes = 8;
        int controllerNodes = 4;
        long t = 0;
        for (int i = 0; i < diskNodes; i++) {
            String dn = "dn" + i;
            items.add(event(ResourceKind.DISK_NODE, dn, TestEvents.diskNodeCreated(dn, atMillis(t++))));
            items.add(event(ResourceKind.PHYSICAL_DISK, RecordKeys.physicalDiskName(dn, "pd0"),
                    TestEvents.physicalDiskCreated(dn, "pd0", atMillis(t++))));
            items.add(status(TestEvents.status(dn, "pd/pd0", ResourceKind.PHYSICAL_DISK,
                    RecordKeys.physicalDiskName(dn, "pd0"), ObjectState.OK, null, 0, atMillis(t++))));
        }
        for (int i = 0; i < controllerNodes; i++) {
            String cn = "cn" + i;
            items.add(event(ResourceKind.CONTROLLER_NODE, cn, TestEvents.controllerNodeCreated(cn, atMillis(t++))));
        }
        for (int d = 0; items.size() < records; d++) {
            String name = "da" + d;
            DiskArray da = TestEvents.diskArray(name,
                    List.of("dn" + (d % diskNodes), "dn" + ((d + 1) % diskNodes)),
                    List.of("cn" + (d % controllerNodes), "cn" + ((d + 1) % controllerNodes)), 1);
            var created = TestEvents.diskArrayCreated(da, atMillis(t++));
            items.add(event(ResourceKind.DISK_ARRAY, name, created));
            items.add(outcome(TestEvents.succeeded(created.getMetadata().getCommandId(), "CreateDiskArray",
                    ResourceKind.DISK_ARRAY, name, atMillis(t))));
            var exporter = TestEvents.exporterCreated(name, "exp1", atMillis(t++));
            items.add(event(ResourceKind.EXPORTER, RecordKeys.exporterName(name, "exp1"), exporter));
            items.add(outcome(TestEvents.succeeded(exporter.getMetadata().getCommandId(), "CreateExporter",
                    ResourceKind.EXPORTER, RecordKeys.exporterName(name, "exp1"), atMillis(t))));
            for (ObjectStatus status : TestEvents.allOk(da, List.of("exp1"), atMillis(t++))) {
                items.add(status(status));
            }
            if (d % 10 == 3) {
                items.add(status(TestEvents.status(da.getVirtualDisks().get(1).getDnName(),
                        RecordKeys.virtualDiskObject(name, 1), ResourceKind.DISK_ARRAY, name, ObjectState.ERROR,
                        "bdev_nvme_attach_controller: connection refused", 1, atMillis(t++))));
            }
        }
        return new ArrayList<>(items.subList(0, records));
    }

    public static Item event(ResourceKind kind, String name, SpecificRecord event) {
        EventMetadata metadata = (EventMetadata) event.get(event.getSchema().getField("metadata").pos());
        return new Item("events", RecordKeys.resource(kind, name), event, metadata.getOccurredAt());
    }

    public static Item status(ObjectStatus status) {
        return new Item("status", RecordKeys.objectStatus(status.getNodeName(), status.getObjectKey()), status,
                status.getObservedAt());
    }

    public static Item outcome(CommandOutcome outcome) {
        return new Item("outcomes", outcome.getCommandId(), outcome, outcome.getDecidedAt());
    }
}
