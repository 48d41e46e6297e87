package io.vda.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.vda.reconciler.drift.DriftDocuments;
import io.vda.reconciler.failover.DiskArrayView;
import io.vda.schema.EtcdKeys;
import io.vda.schema.common.NodeKind;
import io.vda.schema.json.AvroJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The nodes and disk arrays the projections hold in etcd, as the reconciler needs them. */
public final class ClusterDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterDirectory.class);

    /** A node the cluster knows; {@code failed} when its document says so. */
    public record KnownNode(String name, NodeKind kind, boolean failed) {
    }

    private final Client etcd;
    private final EtcdKeys keys;

    public ClusterDirectory(Client etcd, EtcdKeys keys) {
        this.etcd = etcd;
        this.keys = keys;
    }

    public List<KnownNode> nodes() throws Exception {
        List<KnownNode> nodes = new ArrayList<>();
        for (JsonNode doc : documents(keys.diskNodesPrefix())) {
            nodes.add(new KnownNode(doc.path("name").asText(), NodeKind.DISK_NODE, isFailed(doc)));
        }
        for (JsonNode doc : documents(keys.controllerNodesPrefix())) {
            nodes.add(new KnownNode(doc.path("name").asText(), NodeKind.CONTROLLER_NODE, isFailed(doc)));
        }
        return nodes;
    }

    public List<DiskArrayView> diskArrays() throws Exception {
        List<DiskArrayView> arrays = new ArrayList<>();
        for (JsonNode doc : documents(keys.diskArraysPrefix())) {
            JsonNode spec = doc.path("spec");
            String primary = null;
            List<String> secondaries = new ArrayList<>();
            for (JsonNode controller : spec.path("controllers")) {
                if ("PRIMARY".equals(controller.path("role").asText())) {
                    primary = controller.path("cnName").asText();
                } else {
                    secondaries.add(controller.path("cnName").asText());
                }
            }
            arrays.add(new DiskArrayView(spec.path("daName").asText(doc.path("name").asText()),
                    spec.path("epoch").asLong(1), primary, secondaries));
        }
        return arrays;
    }

    /** Disk arrays, exporters and physical disks as documents, for drift detection. */
    public DriftDocuments driftDocuments() throws Exception {
        return new DriftDocuments(documents(keys.diskArraysPrefix()), documents(keys.exportersPrefix()),
                documents(keys.physicalDisksPrefix()));
    }

    private static boolean isFailed(JsonNode doc) {
        return "failed".equalsIgnoreCase(doc.path("state").asText());
    }

    private List<JsonNode> documents(String prefix) throws Exception {
        var response = etcd.getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS);
        List<JsonNode> docs = new ArrayList<>();
        for (KeyValue kv : response.getKvs()) {
            try {
                docs.add(AvroJson.MAPPER.readTree(kv.getValue().getBytes()));
            } catch (IOException e) {
                LOG.warn("Skipping unreadable document {}: {}", kv.getKey().toString(StandardCharsets.UTF_8),
                        e.getMessage());
            }
        }
        return docs;
    }
}
