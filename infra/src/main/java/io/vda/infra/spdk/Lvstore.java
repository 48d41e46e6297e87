package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A logical volume store on a base bdev, with the blobstore's cluster accounting. */
final class Lvstore {
    static final String FORMAT = "vda-emulator-lvstore/1";
    static final long DEFAULT_CLUSTER_SIZE = 4L << 20;
    private static final long MD_PAGE = 4096;

    final String uuid;
    String name;
    final Bdev base;
    final long clusterSize;
    final long totalDataClusters;
    final long mdPagesRatio;
    final Map<String, Lvol> lvols = new LinkedHashMap<>();

    Lvstore(String uuid, String name, Bdev base, long clusterSize, long mdPagesRatio) {
        this.uuid = uuid;
        this.name = name;
        this.base = base;
        this.clusterSize = clusterSize;
        this.mdPagesRatio = mdPagesRatio;
        this.totalDataClusters = dataClusters(base.sizeBytes(), clusterSize, mdPagesRatio);
    }

    /**
     * Data clusters left after the blobstore's metadata: super block, three bit masks and one metadata page per
     * cluster (ratio 100), rounded up to whole clusters. Gives 63 of 64 clusters for 256 MiB, as recorded.
     */
    static long dataClusters(long bytes, long clusterSize, long mdPagesRatio) {
        long clusters = bytes / clusterSize;
        long mdPages = clusters * mdPagesRatio / 100;
        long metaPages = 1 + maskPages(mdPages) + maskPages(clusters) + maskPages(mdPages) + mdPages;
        long pagesPerCluster = clusterSize / MD_PAGE;
        long metaClusters = (metaPages + pagesPerCluster - 1) / pagesPerCluster;
        return clusters - metaClusters;
    }

    private static long maskPages(long bits) {
        long bytes = (bits + 7) / 8;
        return Math.max(1, (bytes + MD_PAGE - 1) / MD_PAGE);
    }

    long blockSize() {
        return base.blockSize;
    }

    long allocatedClusters() {
        return lvols.values().stream().mapToLong(l -> l.allocatedClusters).sum();
    }

    long freeClusters() {
        return totalDataClusters - allocatedClusters();
    }

    long clustersFor(long bytes) {
        return (bytes + clusterSize - 1) / clusterSize;
    }

    Lvol findLvol(String nameOrUuid) {
        for (Lvol l : lvols.values()) {
            if (l.name.equals(nameOrUuid) || l.uuid.equals(nameOrUuid)) {
                return l;
            }
        }
        return null;
    }

    /** Writes the whole store to its base device, as the blobstore syncs its metadata. */
    void persist() throws IOException {
        base.metadata.write(toRecord());
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("uuid", uuid);
        o.put("name", name);
        o.put("base_bdev", base.name);
        o.put("total_data_clusters", totalDataClusters);
        o.put("free_clusters", freeClusters());
        o.put("block_size", blockSize());
        o.put("cluster_size", clusterSize);
        return o;
    }

    ObjectNode toRecord() {
        ObjectNode r = Json.object();
        r.put("format", FORMAT);
        r.put("uuid", uuid);
        r.put("name", name);
        r.put("cluster_size", clusterSize);
        r.put("md_pages_ratio", mdPagesRatio);
        var arr = r.putArray("lvols");
        for (Lvol l : lvols.values()) {
            ObjectNode e = arr.addObject();
            e.put("uuid", l.uuid);
            e.put("name", l.name);
            e.put("size_bytes", l.sizeBytes);
            e.put("thin", l.thin);
            e.put("allocated_clusters", l.allocatedClusters);
            e.put("snapshot", l.snapshot);
            e.put("parent_uuid", l.parentUuid);
            ObjectNode x = e.putObject("xattrs");
            l.xattrs.forEach(x::put);
            e.set("content", l.content);
        }
        return r;
    }

    static boolean isRecord(JsonNode r) {
        return r != null && r.isObject() && FORMAT.equals(r.path("format").asText());
    }

    /** Rebuilds a store found on a device ("examine"); the caller registers the lvol bdevs. */
    static Lvstore fromRecord(JsonNode r, Bdev base) {
        Lvstore lvs = new Lvstore(r.get("uuid").asText(), r.get("name").asText(), base,
                r.get("cluster_size").asLong(), r.path("md_pages_ratio").asLong(100));
        for (JsonNode e : r.path("lvols")) {
            Lvol l = new Lvol(e.get("uuid").asText(), e.get("name").asText(), lvs, e.get("size_bytes").asLong(),
                    e.get("thin").asBoolean());
            l.allocatedClusters = e.get("allocated_clusters").asLong();
            l.snapshot = e.path("snapshot").asBoolean();
            l.parentUuid = e.hasNonNull("parent_uuid") ? e.get("parent_uuid").asText() : null;
            e.path("xattrs").fields().forEachRemaining(f -> l.xattrs.put(f.getKey(), f.getValue().asText()));
            JsonNode content = e.get("content");
            l.content = content == null || content.isNull() ? null : content;
            lvs.lvols.put(l.name, l);
        }
        return lvs;
    }
}
