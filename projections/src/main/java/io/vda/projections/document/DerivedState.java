package io.vda.projections.document;

import static io.vda.projections.document.Documents.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.schema.EtcdKeys;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.ResourceKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The derived fields of a document, as a pure function of base data: {@code state}, {@code status.errors},
 * {@code updatedAt} and, for exporters, {@code placement}.
 *
 * <p>Disk array: the expected objects are each virtual disk on its disk node, the controller object on each
 * controller node and each exporter of the disk array on each controller node. It is {@code ready} when every expected
 * object reports OK at an epoch at least the disk array's, {@code degraded} when one reports ERROR or a node it lives
 * on (or that a NodeFailed event named it for) has failed, {@code creating} otherwise.
 */
public final class DerivedState {

    public static final String CREATING = "creating";
    public static final String READY = "ready";
    public static final String DEGRADED = "degraded";
    public static final String FAILED_STATE = "failed";
    public static final String OFFLINE = "offline";

    /** Fields of a node-failure record (projection bookkeeping). */
    static final String FAILED = "failed";
    static final String AFFECTED = "affectedDiskArrays";
    static final String LAST_HEARTBEAT_AT = "lastHeartbeatAt";
    static final String CHANGED_AT = "changedAt";

    private final ProjectionKeys internal;
    private final EtcdKeys keys;

    DerivedState(ProjectionKeys keys) {
        this.internal = keys;
        this.keys = keys.documents();
    }

    /** The document with its derived fields recomputed: itself when they are unchanged, else a copy. */
    ObjectNode derive(String key, ObjectNode document, DocumentSource ws) {
        String kind = Documents.text(document, Documents.KIND);
        Result result;
        if (ResourceKind.DISK_ARRAY.name().equals(kind)) {
            result = diskArray(document, ws);
        } else if (ResourceKind.EXPORTER.name().equals(kind)) {
            result = exporter(document, ws);
        } else if (ResourceKind.PHYSICAL_DISK.name().equals(kind)) {
            result = physicalDisk(document, ws);
        } else if (ResourceKind.DISK_NODE.name().equals(kind) || ResourceKind.CONTROLLER_NODE.name().equals(kind)) {
            result = node(document, ws);
        } else {
            return document;
        }
        ArrayNode errors = NODES.arrayNode();
        result.errors.forEach(errors::add);
        Instant updatedAt = Documents.later(Documents.instant(document, Documents.UPDATED_AT), result.latest);
        JsonNode updated = updatedAt == null ? NODES.nullNode() : NODES.textNode(updatedAt.toString());
        boolean same = result.state.equals(Documents.text(document, Documents.STATE))
                && errors.equals(document.path(Documents.STATUS).get(Documents.ERRORS))
                && updated.equals(document.get(Documents.UPDATED_AT))
                && (!result.placementSet || Objects.equals(result.placement, document.get(Documents.PLACEMENT)));
        if (same) {
            return document;
        }
        ObjectNode copy = Documents.copyForUpdate(document);
        copy.put(Documents.STATE, result.state);
        Documents.status(copy).set(Documents.ERRORS, errors);
        copy.set(Documents.UPDATED_AT, updated);
        if (result.placementSet) {
            copy.set(Documents.PLACEMENT, result.placement);
        }
        return copy;
    }

    private static final class Result {
        String state = CREATING;
        boolean placementSet;
        JsonNode placement;
        final List<String> errors = new ArrayList<>();
        Instant latest;

        void observed(Instant at) {
            latest = Documents.later(latest, at);
        }

        /** A disk array's or exporter's state: degraded on any error or failed node, ready once all is OK. */
        void settle(Assessment assessment, boolean nodeFailed) {
            if (assessment.anyError() || nodeFailed) {
                state = DEGRADED;
            } else if (assessment.allOk()) {
                state = READY;
            }
        }
    }

    private record Expected(String node, String objectKey) {
        String id() {
            return RecordKeys.objectStatus(node, objectKey);
        }
    }

    /** How the expected objects stand: all OK (at the epoch), and the errors of those in ERROR. */
    private record Assessment(boolean allOk, boolean anyError, List<String> errors) {
    }

    private static Assessment assess(List<Expected> expected, Map<String, JsonNode> statuses, long epoch) {
        boolean allOk = !expected.isEmpty();
        boolean anyError = false;
        List<String> errors = new ArrayList<>();
        for (Expected object : expected) {
            JsonNode status = statuses.get(object.id());
            String state = Documents.text(status, Documents.STATE);
            if ("ERROR".equals(state)) {
                anyError = true;
                allOk = false;
                String message = Documents.text(status, Documents.MESSAGE);
                errors.add(object.objectKey() + " on " + object.node() + ": "
                        + (message == null || message.isEmpty() ? "error" : message));
            } else if (!"OK".equals(state) || Documents.longValue(status, Documents.EPOCH, 0) < epoch) {
                allOk = false;
            }
        }
        return new Assessment(allOk, anyError, errors);
    }

    private static void collect(Map<String, JsonNode> statuses, JsonNode document, Result result) {
        if (document == null) {
            return;
        }
        JsonNode objects = document.path(Documents.STATUS).path(Documents.OBJECTS);
        for (JsonNode entry : objects) {
            statuses.put(Documents.statusId(entry), entry);
            result.observed(Documents.instant(entry, Documents.OBSERVED_AT));
        }
    }

    // ------------------------------------------------------------------ disk arrays

    private Result diskArray(ObjectNode document, DocumentSource ws) {
        Result result = new Result();
        String daName = Documents.text(document, Documents.NAME);
        JsonNode spec = document.get(Documents.SPEC);
        long epoch = Documents.longValue(spec, "epoch", 1);
        result.observed(Documents.instant(document, Documents.SPEC_CHANGED_AT));

        Map<String, JsonNode> statuses = new HashMap<>();
        collect(statuses, document, result);
        Map<String, ObjectNode> exporters = ws.withPrefix(keys.exportersPrefix(daName));
        exporters.values().forEach(exporter -> collect(statuses, exporter, result));

        List<Expected> expected = new ArrayList<>();
        for (JsonNode vd : spec.path("virtualDisks")) {
            expected.add(new Expected(vd.path("dnName").asText(),
                    RecordKeys.virtualDiskObject(daName, vd.path("vdIndex").asInt())));
        }
        List<String> controllers = controllerNodes(spec);
        controllers.forEach(cn -> expected.add(new Expected(cn, RecordKeys.controllerObject(daName))));
        for (ObjectNode exporter : exporters.values()) {
            String expName = exporterName(exporter);
            controllers.forEach(cn -> expected.add(new Expected(cn, RecordKeys.exporterObject(daName, expName))));
        }
        Assessment assessment = assess(expected, statuses, epoch);
        result.errors.addAll(assessment.errors());

        Set<String> placementNodes = placementNodes(spec);
        boolean nodeFailed = false;
        for (ObjectNode failure : ws.withPrefix(internal.nodeFailuresPrefix()).values()) {
            String node = Documents.text(failure, "nodeName");
            boolean named = contains(failure.path(AFFECTED), daName);
            if (!named && !placementNodes.contains(node)) {
                continue;
            }
            result.observed(Documents.instant(failure, CHANGED_AT));
            if (failure.path(FAILED).asBoolean(false)) {
                nodeFailed = true;
                result.errors.add(failureMessage(failure, daName));
            }
        }
        result.settle(assessment, nodeFailed);
        return result;
    }

    private static String failureMessage(JsonNode failure, String daName) {
        String node = Documents.text(failure, "nodeName");
        String kind = Documents.text(failure, "nodeKind");
        String since = Documents.text(failure, LAST_HEARTBEAT_AT);
        String when = since == null ? "" : " (no heartbeat since " + since + ")";
        if ("DISK_NODE".equals(kind)) {
            return "disk node " + node + " failed" + when + ": raid0 has no redundancy, so the data of " + daName
                    + " on it is unavailable until " + node + " recovers";
        }
        if ("CONTROLLER_NODE".equals(kind)) {
            return "controller node " + node + " failed" + when;
        }
        return "node " + node + " failed" + when;
    }

    // ------------------------------------------------------------------ exporters

    private Result exporter(ObjectNode document, DocumentSource ws) {
        Result result = new Result();
        result.observed(Documents.instant(document, Documents.SPEC_CHANGED_AT));
        String name = Documents.text(document, Documents.NAME);
        String daName = name.substring(0, name.indexOf('/'));
        String expName = exporterName(document);
        ObjectNode diskArray = ws.get(keys.diskArray(daName));

        Map<String, JsonNode> statuses = new HashMap<>();
        collect(statuses, document, result);
        result.placementSet = true;
        result.placement = NODES.nullNode();
        if (diskArray == null) {
            return result;
        }
        JsonNode spec = diskArray.get(Documents.SPEC);
        long epoch = Documents.longValue(spec, "epoch", 1);
        result.observed(Documents.instant(diskArray, Documents.SPEC_CHANGED_AT));
        String objectKey = RecordKeys.exporterObject(daName, expName);
        for (JsonNode entry : diskArray.path(Documents.STATUS).path(Documents.OBJECTS)) {
            if (objectKey.equals(Documents.text(entry, Documents.OBJECT_KEY))) {
                statuses.put(Documents.statusId(entry), entry);
                result.observed(Documents.instant(entry, Documents.OBSERVED_AT));
            }
        }
        ObjectNode placement = NODES.objectNode();
        placement.put("diskArrayEpoch", epoch);
        ArrayNode controllers = placement.putArray("controllers");
        spec.path("controllers").forEach(controller -> controllers.add(controller.deepCopy()));
        result.placement = placement;

        List<Expected> expected = new ArrayList<>();
        controllerNodes(spec).forEach(cn -> expected.add(new Expected(cn, objectKey)));
        Assessment assessment = assess(expected, statuses, epoch);
        result.errors.addAll(assessment.errors());
        boolean nodeFailed = false;
        for (String cn : controllerNodes(spec)) {
            ObjectNode failure = ws.get(internal.nodeFailure(cn));
            if (failure != null) {
                result.observed(Documents.instant(failure, CHANGED_AT));
                if (failure.path(FAILED).asBoolean(false)) {
                    nodeFailed = true;
                    result.errors.add(failureMessage(failure, daName));
                }
            }
        }
        result.settle(assessment, nodeFailed);
        return result;
    }

    // ------------------------------------------------------------------ physical disks and nodes

    private Result physicalDisk(ObjectNode document, DocumentSource ws) {
        Result result = new Result();
        result.observed(Documents.instant(document, Documents.SPEC_CHANGED_AT));
        JsonNode spec = document.get(Documents.SPEC);
        String dnName = spec.path("dnName").asText();
        Map<String, JsonNode> statuses = new HashMap<>();
        collect(statuses, document, result);
        Assessment assessment = assess(
                List.of(new Expected(dnName, RecordKeys.physicalDiskObject(spec.path("pdName").asText()))),
                statuses, 0);
        result.errors.addAll(assessment.errors());
        ObjectNode failure = ws.get(internal.nodeFailure(dnName));
        boolean nodeFailed = false;
        if (failure != null) {
            result.observed(Documents.instant(failure, CHANGED_AT));
            if (failure.path(FAILED).asBoolean(false)) {
                nodeFailed = true;
                result.errors.add("disk node " + dnName + " failed");
            }
        }
        if (nodeFailed) {
            result.state = FAILED_STATE;
        } else if (spec.path("isOffline").asBoolean(false)) {
            result.state = OFFLINE;
        } else if (assessment.anyError()) {
            result.state = DEGRADED;
        } else if (assessment.allOk()) {
            result.state = READY;
        }
        return result;
    }

    private Result node(ObjectNode document, DocumentSource ws) {
        Result result = new Result();
        result.observed(Documents.instant(document, Documents.SPEC_CHANGED_AT));
        result.observed(Documents.instant(document.get(Projector.LAST_REDRIVE), "at"));
        String nodeName = Documents.text(document, Documents.NAME);
        JsonNode spec = document.get(Documents.SPEC);
        Map<String, JsonNode> statuses = new HashMap<>();
        collect(statuses, document, result);
        boolean objectError = false;
        for (JsonNode entry : statuses.values()) {
            if ("ERROR".equals(Documents.text(entry, Documents.STATE))) {
                objectError = true;
                result.errors.add(Documents.text(entry, Documents.OBJECT_KEY) + " on " + nodeName + ": "
                        + Documents.text(entry, Documents.MESSAGE));
            }
        }
        result.errors.sort(null);
        JsonNode nodeStatus = Documents.status(document).get(Documents.NODE);
        boolean observed = nodeStatus != null && !nodeStatus.isNull();
        boolean spdkDown = false;
        if (observed) {
            result.observed(Documents.instant(nodeStatus, Documents.OBSERVED_AT));
            if (!nodeStatus.path("spdkReachable").asBoolean(false)) {
                spdkDown = true;
                String message = Documents.text(nodeStatus, Documents.MESSAGE);
                result.errors.add("SPDK is not reachable on " + nodeName + (message == null ? "" : ": " + message));
            }
        }
        ObjectNode failure = ws.get(internal.nodeFailure(nodeName));
        boolean failed = false;
        if (failure != null) {
            result.observed(Documents.instant(failure, CHANGED_AT));
            if (failure.path(FAILED).asBoolean(false)) {
                failed = true;
                String since = Documents.text(failure, LAST_HEARTBEAT_AT);
                result.errors.add(0, nodeName + " failed" + (since == null ? "" : ": no heartbeat since " + since));
            }
        }
        if (failed) {
            result.state = FAILED_STATE;
        } else if (spec.path("isOffline").asBoolean(false)) {
            result.state = OFFLINE;
        } else if (spdkDown || objectError) {
            result.state = DEGRADED;
        } else if (observed) {
            result.state = READY;
        }
        return result;
    }

    // ------------------------------------------------------------------ helpers

    private static String exporterName(JsonNode exporter) {
        String expName = exporter.path(Documents.SPEC).path("expName").asText(null);
        if (expName != null) {
            return expName;
        }
        String name = Documents.text(exporter, Documents.NAME);
        return name.substring(name.indexOf('/') + 1);
    }

    private static List<String> controllerNodes(JsonNode spec) {
        List<String> nodes = new ArrayList<>();
        spec.path("controllers").forEach(controller -> nodes.add(controller.path("cnName").asText()));
        return nodes;
    }

    /** The nodes a disk array's spec places something on: disk nodes of its VDs and its controller nodes. */
    static Set<String> placementNodes(JsonNode spec) {
        Set<String> nodes = new LinkedHashSet<>();
        if (spec == null) {
            return nodes;
        }
        spec.path("virtualDisks").forEach(vd -> nodes.add(vd.path("dnName").asText()));
        nodes.addAll(controllerNodes(spec));
        return nodes;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.asText())) {
                return true;
            }
        }
        return false;
    }
}
