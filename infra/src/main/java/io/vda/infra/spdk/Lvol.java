package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A logical volume (an SPDK blob) in an lvstore. */
final class Lvol {
    final String uuid;
    String name;
    final Lvstore lvstore;
    long sizeBytes;
    boolean thin;
    long allocatedClusters;
    boolean snapshot;
    /** uuid of the snapshot this lvol is a clone of, if any. */
    String parentUuid;
    final Map<String, String> xattrs = new LinkedHashMap<>();
    /** The first blocks of this volume as written by whoever uses it (e.g. a raid's lvstore record). */
    JsonNode content;
    Bdev bdev;

    Lvol(String uuid, String name, Lvstore lvstore, long sizeBytes, boolean thin) {
        this.uuid = uuid;
        this.name = name;
        this.lvstore = lvstore;
        this.sizeBytes = sizeBytes;
        this.thin = thin;
        this.allocatedClusters = thin ? 0 : lvstore.clustersFor(sizeBytes);
    }

    String alias() {
        return lvstore.name + "/" + name;
    }

    boolean isClone() {
        return parentUuid != null;
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("alias", alias());
        o.put("uuid", uuid);
        o.put("name", name);
        o.put("is_thin_provisioned", thin);
        o.put("is_snapshot", snapshot);
        o.put("is_clone", isClone());
        o.put("is_esnap_clone", false);
        o.put("is_degraded", false);
        ObjectNode lvs = o.putObject("lvs");
        lvs.put("name", lvstore.name);
        lvs.put("uuid", lvstore.uuid);
        return o;
    }

    ObjectNode driverSpecific() {
        ObjectNode d = Json.object();
        ObjectNode l = d.putObject("lvol");
        l.put("lvol_store_uuid", lvstore.uuid);
        l.put("base_bdev", lvstore.base.name);
        l.put("thin_provision", thin);
        l.put("snapshot", snapshot);
        l.put("clone", isClone());
        l.put("esnap_clone", false);
        return d;
    }

    /** The lvol's own first blocks: writing them to a thin lvol allocates its first cluster, as on SPDK. */
    MetadataArea area() {
        return new MetadataArea() {
            @Override
            public JsonNode read() {
                return content;
            }

            @Override
            public void write(JsonNode record) throws IOException {
                if (record != null && thin && allocatedClusters == 0) {
                    if (lvstore.freeClusters() <= 0) {
                        throw new IOException("No space left on device");
                    }
                    allocatedClusters = 1;
                }
                content = record;
                lvstore.persist();
            }
        };
    }
}
