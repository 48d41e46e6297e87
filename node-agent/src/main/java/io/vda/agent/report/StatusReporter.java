package io.vda.agent.report;

import io.vda.agent.reconcile.PassReport;
import io.vda.agent.reconcile.PassReport.ObjectResult;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.status.LvstoreStatus;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectState;
import io.vda.schema.status.ObjectStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns pass reports into status records: an {@link ObjectStatus} when an object's state, message or epoch changed
 * and a {@link NodeStatus} when the node's did, plus everything again every {@code refresh} (compaction keeps the
 * latest). Keeps it cheap: an idle pass over 1,000 objects sends nothing.
 */
public final class StatusReporter {

    /** A status record and its key on the status topic. */
    public record Keyed(String key, SpecificRecord value) {
    }

    private final String nodeName;
    private final NodeKind nodeKind;
    private final Duration refresh;
    private final Clock clock;
    private final Map<String, ObjectResult> sent = new HashMap<>();
    private NodeStatusView sentNode;
    private Instant lastRefresh = Instant.MIN;

    private record NodeStatusView(boolean reachable, String version, String message, List<LvstoreStatus> lvstores) {
    }

    public StatusReporter(String nodeName, NodeKind nodeKind, Duration refresh, Clock clock) {
        this.nodeName = nodeName;
        this.nodeKind = nodeKind;
        this.refresh = refresh;
        this.clock = clock;
    }

    public List<Keyed> recordsFor(PassReport report) {
        Instant now = clock.instant();
        boolean refreshAll = !now.isBefore(lastRefresh.plus(refresh)) || lastRefresh == Instant.MIN;
        if (refreshAll) {
            lastRefresh = now;
        }
        List<Keyed> out = new ArrayList<>();
        if (report.spdkReachable() && report.message() == null) {
            report.objects().forEach((key, r) -> {
                if (refreshAll && r.state() != PassReport.State.DELETED || !r.equals(sent.get(key))) {
                    out.add(new Keyed(RecordKeys.objectStatus(nodeName, key), objectStatus(key, r, now)));
                }
                if (r.state() == PassReport.State.DELETED) {
                    sent.remove(key);
                } else {
                    sent.put(key, r);
                }
            });
        }
        List<LvstoreStatus> lvstores = report.lvstores().stream().map(l -> LvstoreStatus.newBuilder()
                .setName(l.name()).setUuid(l.uuid()).setTotalBytes(l.totalDataBytes()).setFreeBytes(l.freeBytes())
                .build()).toList();
        NodeStatusView view = new NodeStatusView(report.spdkReachable(), report.spdkVersion(), report.message(),
                lvstores);
        if (refreshAll || !view.equals(sentNode)) {
            sentNode = view;
            out.add(new Keyed(nodeName, NodeStatus.newBuilder().setNodeName(nodeName).setNodeKind(nodeKind)
                    .setSpdkReachable(report.spdkReachable()).setSpdkVersion(report.spdkVersion())
                    .setLvstores(lvstores).setMessage(report.message()).setObservedAt(now).build()));
        }
        return out;
    }

    private ObjectStatus objectStatus(String key, ObjectResult r, Instant now) {
        return ObjectStatus.newBuilder().setNodeName(nodeName).setObjectKey(key).setResourceKind(kindOf(key))
                .setResourceName(resourceNameOf(nodeName, key)).setState(ObjectState.valueOf(r.state().name()))
                .setMessage(r.message()).setEpoch(r.epoch()).setObservedAt(now).build();
    }

    static ResourceKind kindOf(String objectKey) {
        String type = objectKey.split("/", 2)[0];
        return switch (type) {
            case "pd" -> ResourceKind.PHYSICAL_DISK;
            case "vd", "cntlr", "exp" -> ResourceKind.DISK_ARRAY;
            default -> ResourceKind.UNKNOWN;
        };
    }

    /** "dn1/pd1" for a physical disk, the disk array's name for vd/cntlr/exp objects. */
    static String resourceNameOf(String nodeName, String objectKey) {
        String[] parts = objectKey.split("/");
        return switch (parts[0]) {
            case "pd" -> RecordKeys.physicalDiskName(nodeName, parts[1]);
            case "vd", "cntlr", "exp" -> parts.length > 1 ? parts[1] : objectKey;
            default -> Objects.requireNonNullElse(objectKey, "");
        };
    }
}
