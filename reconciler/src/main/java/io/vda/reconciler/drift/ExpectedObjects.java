package io.vda.reconciler.drift;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.reconciler.drift.ObjectCondition.Condition;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.NodeKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The objects the cluster expects on its nodes and how each stands, from the projections' documents. The rule is the
 * projections' own for {@code creating/ready/degraded} (DerivedState): each virtual disk of a disk array on its disk
 * node, the controller object on each controller node of the array, each exporter of the array on each of those
 * controller nodes, all at an epoch at least the array's; and each physical disk on its disk node. Pure.
 */
public final class ExpectedObjects {

    private ExpectedObjects() {
    }

    public static List<ObjectCondition> of(DriftDocuments documents) {
        Map<String, JsonNode> reports = new HashMap<>();
        documents.diskArrays().forEach(doc -> collect(reports, doc));
        documents.exporters().forEach(doc -> collect(reports, doc));
        documents.physicalDisks().forEach(doc -> collect(reports, doc));

        Map<String, List<String>> exportersByArray = new HashMap<>();
        for (JsonNode exporter : documents.exporters()) {
            String name = exporter.path("name").asText();
            int slash = name.indexOf('/');
            if (slash > 0) {
                String expName = exporter.path("spec").path("expName").asText(name.substring(slash + 1));
                exportersByArray.computeIfAbsent(name.substring(0, slash), da -> new ArrayList<>()).add(expName);
            }
        }

        List<ObjectCondition> conditions = new ArrayList<>();
        for (JsonNode diskArray : documents.diskArrays()) {
            JsonNode spec = diskArray.path("spec");
            String daName = spec.path("daName").asText(diskArray.path("name").asText());
            long epoch = spec.path("epoch").asLong(1);
            Set<String> placement = new TreeSet<>();
            spec.path("virtualDisks").forEach(vd -> placement.add(vd.path("dnName").asText()));
            spec.path("controllers").forEach(controller -> placement.add(controller.path("cnName").asText()));
            for (JsonNode vd : spec.path("virtualDisks")) {
                conditions.add(condition(reports, vd.path("dnName").asText(), NodeKind.DISK_NODE,
                        RecordKeys.virtualDiskObject(daName, vd.path("vdIndex").asInt()), epoch, placement));
            }
            for (JsonNode controller : spec.path("controllers")) {
                String cn = controller.path("cnName").asText();
                conditions.add(condition(reports, cn, NodeKind.CONTROLLER_NODE,
                        RecordKeys.controllerObject(daName), epoch, placement));
                for (String expName : exportersByArray.getOrDefault(daName, List.of())) {
                    conditions.add(condition(reports, cn, NodeKind.CONTROLLER_NODE,
                            RecordKeys.exporterObject(daName, expName), epoch, placement));
                }
            }
        }
        for (JsonNode pd : documents.physicalDisks()) {
            JsonNode spec = pd.path("spec");
            String dnName = spec.path("dnName").asText();
            conditions.add(condition(reports, dnName, NodeKind.DISK_NODE,
                    RecordKeys.physicalDiskObject(spec.path("pdName").asText()), 0, Set.of(dnName)));
        }
        return conditions;
    }

    private static void collect(Map<String, JsonNode> reports, JsonNode document) {
        for (JsonNode entry : document.path("status").path("objects")) {
            reports.put(RecordKeys.objectStatus(entry.path("node").asText(), entry.path("objectKey").asText()),
                    entry);
        }
    }

    private static ObjectCondition condition(Map<String, JsonNode> reports, String node, NodeKind kind,
            String objectKey, long epoch, Set<String> dependsOn) {
        JsonNode report = reports.get(RecordKeys.objectStatus(node, objectKey));
        String state = report == null ? null : report.path("state").asText(null);
        if ("ERROR".equals(state)) {
            String message = report.path("message").asText("");
            return new ObjectCondition(node, kind, objectKey, Condition.ERROR, message.isEmpty() ? "error" : message,
                    dependsOn);
        }
        if (report == null || report.path("epoch").asLong(0) < epoch
                || !("OK".equals(state) || "PENDING".equals(state))) {
            return new ObjectCondition(node, kind, objectKey, Condition.MISSING,
                    report == null ? "not reported" : "reported " + state + " at epoch "
                            + report.path("epoch").asLong(0) + ", expected " + epoch, dependsOn);
        }
        return new ObjectCondition(node, kind, objectKey, Condition.PRESENT, state, dependsOn);
    }
}
