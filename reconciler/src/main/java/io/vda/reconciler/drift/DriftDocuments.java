package io.vda.reconciler.drift;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The projections' documents drift detection reads (etcd JSON, see docs/projections.md): disk arrays, exporters and
 * physical disks, each with its spec and {@code status.objects}.
 */
public record DriftDocuments(List<JsonNode> diskArrays, List<JsonNode> exporters, List<JsonNode> physicalDisks) {

    public DriftDocuments {
        diskArrays = List.copyOf(diskArrays);
        exporters = List.copyOf(exporters);
        physicalDisks = List.copyOf(physicalDisks);
    }
}
