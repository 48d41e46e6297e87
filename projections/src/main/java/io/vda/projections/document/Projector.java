package io.vda.projections.document;

import static io.vda.projections.document.Documents.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.schema.EtcdKeys;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.EventMetadata;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.ControllerFailedOver;
import io.vda.schema.event.ControllerNodeCreated;
import io.vda.schema.event.ControllerNodeDeleted;
import io.vda.schema.event.ControllerNodeModified;
import io.vda.schema.event.DiskArrayCreated;
import io.vda.schema.event.DiskArrayDeleted;
import io.vda.schema.event.DiskArrayInitialized;
import io.vda.schema.event.DiskArrayModified;
import io.vda.schema.event.DiskNodeCreated;
import io.vda.schema.event.DiskNodeDeleted;
import io.vda.schema.event.DiskNodeModified;
import io.vda.schema.event.ExporterCreated;
import io.vda.schema.event.ExporterDeleted;
import io.vda.schema.event.ExporterModified;
import io.vda.schema.event.NodeFailed;
import io.vda.schema.event.NodeRecovered;
import io.vda.schema.event.NodeRedriven;
import io.vda.schema.event.PhysicalDiskCreated;
import io.vda.schema.event.PhysicalDiskDeleted;
import io.vda.schema.event.PhysicalDiskModified;
import io.vda.schema.json.AvroJson;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.Exporter;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.status.LvstoreStatus;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectState;
import io.vda.schema.status.ObjectStatus;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * The projection's reduction, pure: applies one {@link ProjectionInput} to a {@link Workspace} of documents, then
 * recomputes the derived fields (state, errors, placement, updatedAt) of every document the input can affect.
 *
 * <p>Base data (specs, latest status per object, node failures) is replaced last-writer-wins per Kafka key, guarded by
 * the record's own time so an older record never overwrites a newer one; derived fields are a function of the base
 * data. Together this makes the documents independent of how records of different partitions interleave, which is
 * what lets a rebuild produce the live documents.
 */
public final class Projector {

    private final ProjectionKeys internal;
    private final EtcdKeys keys;
    private final DerivedState derived;

    public Projector(ProjectionKeys keys) {
        this.internal = keys;
        this.keys = keys.documents();
        this.derived = new DerivedState(keys);
    }

    public ProjectionKeys keys() {
        return internal;
    }

    /** Applies one input; every change lands in the workspace. */
    public void apply(ProjectionInput input, Workspace ws) {
        Set<String> touched = new LinkedHashSet<>();
        if (input instanceof ProjectionInput.Event event) {
            applyEvent(event.event(), ws, touched);
        } else if (input instanceof ProjectionInput.ObjectStatusReport report) {
            applyObjectStatus(report.status(), ws, touched);
        } else if (input instanceof ProjectionInput.NodeStatusReport report) {
            applyNodeStatus(report.status(), ws, touched);
        } else if (input instanceof ProjectionInput.StatusRemoved removed) {
            removeStatus(removed.statusKey(), ws, touched);
        } else if (input instanceof ProjectionInput.Outcome outcome) {
            ws.put(keys.commandOutcome(outcome.outcome().getCommandId()), outcomeDocument(outcome.outcome()));
        } else if (input instanceof ProjectionInput.OutcomeRemoved removed) {
            ws.delete(keys.commandOutcome(removed.commandId()));
        }
        refresh(touched, ws);
    }

    // ------------------------------------------------------------------ events

    private void applyEvent(SpecificRecord event, Workspace ws, Set<String> touched) {
        if (event instanceof DiskNodeCreated e) {
            upsert(ws, keys.diskNode(e.getDiskNode().getDnName()), ResourceKind.DISK_NODE,
                    e.getDiskNode().getDnName(), e.getDiskNode(), e.getMetadata(), touched);
        } else if (event instanceof DiskNodeModified e) {
            upsert(ws, keys.diskNode(e.getDiskNode().getDnName()), ResourceKind.DISK_NODE,
                    e.getDiskNode().getDnName(), e.getDiskNode(), e.getMetadata(), touched);
        } else if (event instanceof DiskNodeDeleted e) {
            remove(ws, keys.diskNode(e.getDiskNode().getDnName()), e.getMetadata());
        } else if (event instanceof PhysicalDiskCreated e) {
            upsertPhysicalDisk(ws, e.getPhysicalDisk(), e.getMetadata(), touched);
        } else if (event instanceof PhysicalDiskModified e) {
            upsertPhysicalDisk(ws, e.getPhysicalDisk(), e.getMetadata(), touched);
        } else if (event instanceof PhysicalDiskDeleted e) {
            remove(ws, keys.physicalDisk(e.getPhysicalDisk().getDnName(), e.getPhysicalDisk().getPdName()),
                    e.getMetadata());
        } else if (event instanceof ControllerNodeCreated e) {
            upsert(ws, keys.controllerNode(e.getControllerNode().getCnName()), ResourceKind.CONTROLLER_NODE,
                    e.getControllerNode().getCnName(), e.getControllerNode(), e.getMetadata(), touched);
        } else if (event instanceof ControllerNodeModified e) {
            upsert(ws, keys.controllerNode(e.getControllerNode().getCnName()), ResourceKind.CONTROLLER_NODE,
                    e.getControllerNode().getCnName(), e.getControllerNode(), e.getMetadata(), touched);
        } else if (event instanceof ControllerNodeDeleted e) {
            remove(ws, keys.controllerNode(e.getControllerNode().getCnName()), e.getMetadata());
        } else if (event instanceof DiskArrayCreated e) {
            upsertDiskArray(ws, e.getDiskArray(), e.getMetadata(), touched);
        } else if (event instanceof DiskArrayModified e) {
            upsertDiskArray(ws, e.getDiskArray(), e.getMetadata(), touched);
        } else if (event instanceof DiskArrayInitialized e) {
            upsertDiskArray(ws, e.getDiskArray(), e.getMetadata(), touched);
        } else if (event instanceof ControllerFailedOver e) {
            upsertDiskArray(ws, e.getDiskArray(), e.getMetadata(), touched);
        } else if (event instanceof DiskArrayDeleted e) {
            String daName = e.getDiskArray().getDaName();
            if (remove(ws, keys.diskArray(daName), e.getMetadata())) {
                ws.withPrefix(keys.exportersPrefix(daName)).keySet().forEach(ws::delete);
            }
        } else if (event instanceof ExporterCreated e) {
            upsertExporter(ws, e.getExporter(), e.getMetadata(), touched);
        } else if (event instanceof ExporterModified e) {
            upsertExporter(ws, e.getExporter(), e.getMetadata(), touched);
        } else if (event instanceof ExporterDeleted e) {
            Exporter exporter = e.getExporter();
            remove(ws, keys.exporter(exporter.getDaName(), exporter.getExpName()), e.getMetadata());
            touched.add(keys.diskArray(exporter.getDaName()));
        } else if (event instanceof NodeFailed e) {
            nodeFailure(ws, e.getNodeName(), e.getNodeKind(), true, e.getLastHeartbeatAt(),
                    e.getAffectedDiskArrays(), e.getMetadata(), touched);
        } else if (event instanceof NodeRecovered e) {
            nodeFailure(ws, e.getNodeName(), e.getNodeKind(), false, null, List.of(), e.getMetadata(), touched);
        } else if (event instanceof NodeRedriven e) {
            lastRedrive(ws, e, touched);
        }
        // …Rejected events change no document: the command's outcome says why it was refused.
    }

    private void upsertPhysicalDisk(Workspace ws, PhysicalDisk pd, EventMetadata metadata, Set<String> touched) {
        upsert(ws, keys.physicalDisk(pd.getDnName(), pd.getPdName()), ResourceKind.PHYSICAL_DISK,
                RecordKeys.physicalDiskName(pd.getDnName(), pd.getPdName()), pd, metadata, touched);
    }

    private void upsertDiskArray(Workspace ws, DiskArray da, EventMetadata metadata, Set<String> touched) {
        upsert(ws, keys.diskArray(da.getDaName()), ResourceKind.DISK_ARRAY, da.getDaName(), da, metadata, touched);
    }

    private void upsertExporter(Workspace ws, Exporter exporter, EventMetadata metadata, Set<String> touched) {
        upsert(ws, keys.exporter(exporter.getDaName(), exporter.getExpName()), ResourceKind.EXPORTER,
                RecordKeys.exporterName(exporter.getDaName(), exporter.getExpName()), exporter, metadata, touched);
    }

    private void upsert(Workspace ws, String key, ResourceKind kind, String name, IndexedRecord spec,
                        EventMetadata metadata, Set<String> touched) {
        ObjectNode existing = ws.get(key);
        Instant at = metadata.getOccurredAt();
        ObjectNode document;
        if (existing != null) {
            if (isOlder(at, Documents.instant(existing, Documents.SPEC_CHANGED_AT))) {
                return; // an older event than the one the document already reflects
            }
            document = Documents.copyForUpdate(existing);
        } else {
            document = newDocument(kind, name);
            attachUnattached(ws, key, document);
        }
        document.set(Documents.SPEC, AvroJson.toJson(spec));
        document.put(Documents.LAST_COMMAND_ID, metadata.getCommandId());
        document.put(Documents.SPEC_CHANGED_AT, at.toString());
        ws.put(key, document);
        touched.add(key);
    }

    private static ObjectNode newDocument(ResourceKind kind, String name) {
        ObjectNode document = NODES.objectNode();
        document.put(Documents.SCHEMA_VERSION_FIELD, Documents.SCHEMA_VERSION);
        document.put(Documents.KIND, kind.name());
        document.put(Documents.NAME, name);
        document.putNull(Documents.SPEC);
        if (kind == ResourceKind.EXPORTER) {
            document.putNull(Documents.PLACEMENT);
        }
        document.put(Documents.STATE, DerivedState.CREATING);
        ObjectNode status = document.putObject(Documents.STATUS);
        status.putArray(Documents.OBJECTS);
        status.putArray(Documents.ERRORS);
        if (kind == ResourceKind.DISK_NODE || kind == ResourceKind.CONTROLLER_NODE) {
            status.putNull(Documents.NODE);
        }
        document.putNull(Documents.LAST_COMMAND_ID);
        document.putNull(Documents.SPEC_CHANGED_AT);
        document.putNull(Documents.UPDATED_AT);
        return document;
    }

    /** Deletes a resource document unless it reflects a newer event; true when the deletion applies. */
    private boolean remove(Workspace ws, String key, EventMetadata metadata) {
        ObjectNode existing = ws.get(key);
        if (existing != null && isOlder(metadata.getOccurredAt(),
                Documents.instant(existing, Documents.SPEC_CHANGED_AT))) {
            return false;
        }
        if (existing != null) {
            ws.delete(key);
        }
        return true;
    }

    private void nodeFailure(Workspace ws, String nodeName, NodeKind kind, boolean failed, Instant lastHeartbeatAt,
                             List<String> affected, EventMetadata metadata, Set<String> touched) {
        String key = internal.nodeFailure(nodeName);
        ObjectNode previous = ws.get(key);
        Instant at = metadata.getOccurredAt();
        if (previous != null && isOlder(at, Documents.instant(previous, DerivedState.CHANGED_AT))) {
            return;
        }
        Set<String> diskArrays = new TreeSet<>(affected);
        if (!failed && previous != null) {
            previous.withArray(DerivedState.AFFECTED).forEach(da -> diskArrays.add(da.asText()));
        }
        ObjectNode failure = NODES.objectNode();
        failure.put("nodeName", nodeName);
        failure.put("nodeKind", kind.name());
        failure.put(DerivedState.FAILED, failed);
        if (lastHeartbeatAt != null) {
            failure.put(DerivedState.LAST_HEARTBEAT_AT, lastHeartbeatAt.toString());
        } else if (previous != null && previous.hasNonNull(DerivedState.LAST_HEARTBEAT_AT)) {
            failure.set(DerivedState.LAST_HEARTBEAT_AT, previous.get(DerivedState.LAST_HEARTBEAT_AT));
        }
        ArrayNode affectedArray = failure.putArray(DerivedState.AFFECTED);
        diskArrays.forEach(affectedArray::add);
        failure.put(DerivedState.CHANGED_AT, at.toString());
        failure.put(Documents.LAST_COMMAND_ID, metadata.getCommandId());
        ws.put(key, failure);

        touched.add(keys.diskNode(nodeName));
        touched.add(keys.controllerNode(nodeName));
        touched.addAll(ws.withPrefix(keys.physicalDisksPrefix(nodeName)).keySet());
        diskArrays.forEach(da -> touched.add(keys.diskArray(da)));
        ws.withPrefix(keys.diskArraysPrefix()).forEach((daKey, da) -> {
            if (DerivedState.placementNodes(da.get(Documents.SPEC)).contains(nodeName)) {
                touched.add(daKey);
            }
        });
    }

    /**
     * Drift repair of a node (audit): the latest re-drive goes on the node's document as {@code lastRedrive}. Same
     * key as the node's other events (one partition), newest wins, so a rebuild gives the same document.
     */
    private void lastRedrive(Workspace ws, NodeRedriven e, Set<String> touched) {
        String key = e.getNodeKind() == NodeKind.CONTROLLER_NODE ? keys.controllerNode(e.getNodeName())
                : keys.diskNode(e.getNodeName());
        ObjectNode existing = ws.get(key);
        Instant at = e.getMetadata().getOccurredAt();
        if (existing == null || isOlder(at, Documents.instant(existing.get(LAST_REDRIVE), "at"))) {
            return; // a node deleted since, or an older re-drive than the one the document shows
        }
        ObjectNode redrive = NODES.objectNode();
        redrive.put("at", at.toString());
        redrive.put("commandId", e.getMetadata().getCommandId());
        ArrayNode objectKeys = redrive.putArray("objectKeys");
        e.getObjectKeys().forEach(objectKeys::add);
        redrive.put("reason", e.getReason());
        redrive.put("recordsEmitted", e.getRecordsEmitted());
        ObjectNode document = Documents.copyForUpdate(existing);
        document.set(LAST_REDRIVE, redrive);
        ws.put(key, document);
        touched.add(key);
    }

    static final String LAST_REDRIVE = "lastRedrive";

    // ------------------------------------------------------------------ status

    private void applyObjectStatus(ObjectStatus status, Workspace ws, Set<String> touched) {
        String target = targetOf(status, ws);
        if (target == null) {
            return; // an object key no document owns (logged by the shell as unroutable is not worth it: ignore)
        }
        ObjectNode entry = NODES.objectNode();
        entry.put(Documents.NODE, status.getNodeName());
        entry.put(Documents.OBJECT_KEY, status.getObjectKey());
        entry.put(Documents.STATE, status.getState().name());
        if (status.getMessage() == null) {
            entry.putNull(Documents.MESSAGE);
        } else {
            entry.put(Documents.MESSAGE, status.getMessage());
        }
        entry.put(Documents.EPOCH, status.getEpoch());
        entry.put(Documents.OBSERVED_AT, status.getObservedAt().toString());
        boolean deleted = status.getState() == ObjectState.DELETED;
        String id = RecordKeys.objectStatus(status.getNodeName(), status.getObjectKey());

        ObjectNode document = ws.get(target);
        if (document != null) {
            ArrayNode objects = Documents.objects(document);
            int index = indexOf(objects, id);
            if (index >= 0 && isOlder(status.getObservedAt(),
                    Documents.instant(objects.get(index), Documents.OBSERVED_AT))) {
                return;
            }
            if (deleted && index < 0) {
                return;
            }
            ObjectNode copy = Documents.copyForUpdate(document);
            ArrayNode copyObjects = Documents.objects(copy);
            if (deleted) {
                copyObjects.remove(index);
            } else if (index >= 0) {
                copyObjects.set(index, entry);
            } else {
                insertSorted(copyObjects, entry);
            }
            ws.put(target, copy);
            touched.add(target);
        } else {
            String unattached = internal.unattached(target, id);
            ObjectNode previous = ws.get(unattached);
            if (previous != null && isOlder(status.getObservedAt(),
                    Documents.instant(previous, Documents.OBSERVED_AT))) {
                return;
            }
            if (deleted) {
                if (previous != null) {
                    ws.delete(unattached);
                }
            } else {
                ws.put(unattached, entry);
            }
        }
    }

    private void applyNodeStatus(NodeStatus status, Workspace ws, Set<String> touched) {
        String target = nodeDocumentKey(status.getNodeKind(), status.getNodeName(), ws);
        ObjectNode entry = NODES.objectNode();
        entry.put("spdkReachable", status.getSpdkReachable());
        if (status.getSpdkVersion() == null) {
            entry.putNull("spdkVersion");
        } else {
            entry.put("spdkVersion", status.getSpdkVersion());
        }
        ArrayNode lvstores = entry.putArray("lvstores");
        for (LvstoreStatus lvstore : status.getLvstores()) {
            lvstores.add(AvroJson.toJson(lvstore));
        }
        if (status.getMessage() == null) {
            entry.putNull(Documents.MESSAGE);
        } else {
            entry.put(Documents.MESSAGE, status.getMessage());
        }
        entry.put(Documents.OBSERVED_AT, status.getObservedAt().toString());

        ObjectNode document = ws.get(target);
        if (document != null) {
            JsonNode previous = Documents.status(document).get(Documents.NODE);
            if (previous != null && !previous.isNull()
                    && isOlder(status.getObservedAt(), Documents.instant(previous, Documents.OBSERVED_AT))) {
                return;
            }
            ObjectNode copy = Documents.copyForUpdate(document);
            Documents.status(copy).set(Documents.NODE, entry);
            ws.put(target, copy);
            touched.add(target);
        } else {
            String unattached = internal.unattached(target, ProjectionKeys.NODE_STATUS_ID);
            ObjectNode previous = ws.get(unattached);
            if (previous != null && isOlder(status.getObservedAt(),
                    Documents.instant(previous, Documents.OBSERVED_AT))) {
                return;
            }
            ws.put(unattached, entry);
        }
    }

    /** A tombstone on the status topic: forget the status wherever it was kept. */
    private void removeStatus(String statusKey, Workspace ws, Set<String> touched) {
        int slash = statusKey.indexOf('/');
        if (slash < 0) {
            for (String target : List.of(keys.diskNode(statusKey), keys.controllerNode(statusKey))) {
                ObjectNode document = ws.get(target);
                if (document != null && Documents.status(document).hasNonNull(Documents.NODE)) {
                    ObjectNode copy = Documents.copyForUpdate(document);
                    Documents.status(copy).putNull(Documents.NODE);
                    ws.put(target, copy);
                    touched.add(target);
                }
                deleteIfPresent(ws, internal.unattached(target, ProjectionKeys.NODE_STATUS_ID));
            }
            return;
        }
        String node = statusKey.substring(0, slash);
        String objectKey = statusKey.substring(slash + 1);
        Set<String> candidates = new LinkedHashSet<>();
        String byObjectKey = targetOfObjectKey(node, objectKey, ws);
        if (byObjectKey != null) {
            candidates.add(byObjectKey);
        }
        String daName = diskArrayOfObjectKey(objectKey);
        if (daName != null) {
            candidates.add(keys.diskArray(daName));
        }
        for (String target : candidates) {
            ObjectNode document = ws.get(target);
            if (document != null) {
                int index = indexOf(Documents.objects(document), statusKey);
                if (index >= 0) {
                    ObjectNode copy = Documents.copyForUpdate(document);
                    Documents.objects(copy).remove(index);
                    ws.put(target, copy);
                    touched.add(target);
                }
            }
            deleteIfPresent(ws, internal.unattached(target, statusKey));
        }
    }

    private static void deleteIfPresent(Workspace ws, String key) {
        if (ws.get(key) != null) {
            ws.delete(key);
        }
    }

    /** Moves the statuses that arrived before the document into it. */
    private void attachUnattached(Workspace ws, String documentKey, ObjectNode document) {
        String prefix = internal.unattachedPrefix(documentKey);
        for (Map.Entry<String, ObjectNode> unattached : ws.withPrefix(prefix).entrySet()) {
            String id = unattached.getKey().substring(prefix.length());
            if (id.equals(ProjectionKeys.NODE_STATUS_ID)) {
                Documents.status(document).set(Documents.NODE, unattached.getValue().deepCopy());
            } else {
                insertSorted(Documents.objects(document), unattached.getValue().deepCopy());
            }
            ws.delete(unattached.getKey());
        }
    }

    /** The document an object status belongs to: by its resource kind and name, else by its object key. */
    String targetOf(ObjectStatus status, DocumentSource ws) {
        String name = status.getResourceName();
        String node = status.getNodeName();
        boolean named = name != null && !name.isEmpty();
        int slash = named ? name.indexOf('/') : -1;
        switch (status.getResourceKind()) {
            case DISK_ARRAY:
                if (named) {
                    return keys.diskArray(name);
                }
                break;
            case EXPORTER:
                if (slash > 0) {
                    return keys.exporter(name.substring(0, slash), name.substring(slash + 1));
                }
                break;
            case PHYSICAL_DISK:
                if (slash > 0) {
                    return keys.physicalDisk(name.substring(0, slash), name.substring(slash + 1));
                }
                if (named) {
                    return keys.physicalDisk(node, name);
                }
                break;
            case DISK_NODE:
                return keys.diskNode(named ? name : node);
            case CONTROLLER_NODE:
                return keys.controllerNode(named ? name : node);
            default:
                break;
        }
        return targetOfObjectKey(node, status.getObjectKey(), ws);
    }

    private String targetOfObjectKey(String node, String objectKey, DocumentSource ws) {
        String[] parts = objectKey.split("/");
        if (parts.length == 3 && parts[0].equals("vd")) {
            return keys.diskArray(parts[1]);
        }
        if (parts.length == 2 && parts[0].equals("cntlr")) {
            return keys.diskArray(parts[1]);
        }
        if (parts.length == 3 && parts[0].equals("exp")) {
            return keys.exporter(parts[1], parts[2]);
        }
        if (parts.length == 2 && parts[0].equals("pd")) {
            return keys.physicalDisk(node, parts[1]);
        }
        if (objectKey.equals(RecordKeys.NODE_OBJECT)) {
            return nodeDocumentKey(NodeKind.UNKNOWN, node, ws);
        }
        return null;
    }

    private static String diskArrayOfObjectKey(String objectKey) {
        String[] parts = objectKey.split("/");
        if (parts.length >= 2 && (parts[0].equals("vd") || parts[0].equals("cntlr") || parts[0].equals("exp"))) {
            return parts[1];
        }
        return null;
    }

    private String nodeDocumentKey(NodeKind kind, String node, DocumentSource ws) {
        if (kind == NodeKind.DISK_NODE) {
            return keys.diskNode(node);
        }
        if (kind == NodeKind.CONTROLLER_NODE) {
            return keys.controllerNode(node);
        }
        return ws.get(keys.controllerNode(node)) != null ? keys.controllerNode(node) : keys.diskNode(node);
    }

    private static int indexOf(ArrayNode objects, String id) {
        for (int i = 0; i < objects.size(); i++) {
            if (Documents.statusId(objects.get(i)).equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static void insertSorted(ArrayNode objects, ObjectNode entry) {
        String id = Documents.statusId(entry);
        int i = 0;
        while (i < objects.size() && Documents.statusId(objects.get(i)).compareTo(id) < 0) {
            i++;
        }
        if (i < objects.size() && Documents.statusId(objects.get(i)).equals(id)) {
            objects.set(i, entry);
        } else {
            objects.insert(i, entry);
        }
    }

    private static boolean isOlder(Instant candidate, Instant current) {
        return current != null && candidate.isBefore(current);
    }

    // ------------------------------------------------------------------ outcomes

    static ObjectNode outcomeDocument(CommandOutcome outcome) {
        ObjectNode document = NODES.objectNode();
        document.put(Documents.SCHEMA_VERSION_FIELD, Documents.SCHEMA_VERSION);
        document.put("commandId", outcome.getCommandId());
        document.put("commandType", outcome.getCommandType());
        document.put("status", outcome.getStatus().name());
        document.put("resourceKind", outcome.getResourceKind().name());
        document.put("resourceName", outcome.getResourceName());
        if (outcome.getReason() == null) {
            document.putNull("reason");
        } else {
            document.put("reason", outcome.getReason().name());
        }
        document.put("message", outcome.getMessage());
        document.put("decidedAt", outcome.getDecidedAt().toString());
        return document;
    }

    // ------------------------------------------------------------------ derived fields

    private void refresh(Set<String> touched, Workspace ws) {
        Set<String> all = new TreeSet<>(touched);
        for (String key : touched) {
            if (key.startsWith(keys.diskArraysPrefix())) {
                String daName = key.substring(keys.diskArraysPrefix().length());
                all.addAll(ws.withPrefix(keys.exportersPrefix(daName)).keySet());
            } else if (key.startsWith(keys.exportersPrefix())) {
                String rest = key.substring(keys.exportersPrefix().length());
                all.add(keys.diskArray(rest.substring(0, rest.indexOf('/'))));
            }
        }
        for (String key : all) {
            ObjectNode document = ws.get(key);
            if (document == null) {
                continue;
            }
            ObjectNode updated = derived.derive(key, document, ws);
            if (updated != document) {
                ws.put(key, updated);
            }
        }
    }
}
