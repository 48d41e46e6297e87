package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The lvol module: lvstores, lvols, snapshots and clones, plus the emulator's xattr extension. */
final class LvolRpcs {
    private static final long MIB = 1L << 20;
    private static final Set<String> CLEAR_METHODS = Set.of("none", "unmap", "write_zeroes");

    private final TargetState t;

    LvolRpcs(TargetState state) {
        this.t = state;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("bdev_lvol_create_lvstore", this::createLvstore);
        m.put("bdev_lvol_delete_lvstore", this::deleteLvstore);
        m.put("bdev_lvol_get_lvstores", this::getLvstores);
        m.put("bdev_lvol_create", this::create);
        m.put("bdev_lvol_delete", this::delete);
        m.put("bdev_lvol_resize", this::resize);
        m.put("bdev_lvol_snapshot", this::snapshot);
        m.put("bdev_lvol_clone", this::clone);
        m.put("bdev_lvol_get_lvols", this::getLvols);
        m.put("vda_emulator_lvol_set_xattr", this::setXattr);
        m.put("vda_emulator_lvol_get_xattr", this::getXattr);
    }

    private JsonNode createLvstore(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "bdev_name", "lvs_name", "cluster_sz", "clear_method",
                "num_md_pages_per_cluster_ratio");
        String bdevName = p.requiredString("bdev_name");
        String lvsName = p.requiredString("lvs_name");
        long cluster = p.optionalLong("cluster_sz", Lvstore.DEFAULT_CLUSTER_SIZE);
        long ratio = p.optionalLong("num_md_pages_per_cluster_ratio", 100);
        String clear = p.optionalString("clear_method").orElse("unmap");
        if (!CLEAR_METHODS.contains(clear) || lvsName.isEmpty() || lvsName.length() > 63) {
            throw RpcError.errno(22);
        }
        Bdev base = t.findBdev(bdevName);
        if (base == null) {
            throw RpcError.errno(19);
        }
        if (t.findLvstore(null, lvsName) != null) {
            throw RpcError.errno(17);
        }
        if (base.claim != Bdev.Claim.NONE) {
            throw RpcError.errno(1);
        }
        if (cluster < 8192 || Long.bitCount(cluster) != 1 || ratio == 0) {
            throw RpcError.errno(22);
        }
        Lvstore lvs = new Lvstore(TargetState.newUuid(), lvsName, base, cluster, ratio);
        if (lvs.totalDataClusters <= 0) {
            throw RpcError.errno(28);
        }
        persist(lvs);
        base.claim(Bdev.Claim.READ_MANY_WRITE_ONE, lvs);
        t.lvstores.put(lvs.uuid, lvs);
        return Json.text(lvs.uuid);
    }

    private Lvstore lvstoreByParams(Params p, String uuidKey, String nameKey) throws RpcError {
        var uuid = p.optionalString(uuidKey);
        var name = p.optionalString(nameKey);
        if (uuid.isPresent() == name.isPresent()) {
            throw RpcError.errno(22);
        }
        Lvstore lvs = t.findLvstore(uuid.orElse(null), name.orElse(null));
        if (lvs == null) {
            throw RpcError.errno(19);
        }
        return lvs;
    }

    private JsonNode deleteLvstore(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "uuid", "lvs_name");
        Lvstore lvs = lvstoreByParams(p, "uuid", "lvs_name");
        t.unload(lvs);
        try {
            lvs.base.metadata.write(null);
        } catch (IOException e) {
            throw RpcError.errno(5);
        }
        return Json.ok();
    }

    private JsonNode getLvstores(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "uuid", "lvs_name");
        var out = Json.array();
        if (p.has("uuid") || p.has("lvs_name")) {
            out.add(lvstoreByParams(p, "uuid", "lvs_name").toJson());
        } else {
            t.lvstores.values().forEach(l -> out.add(l.toJson()));
        }
        return out;
    }

    private JsonNode create(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "lvol_name", "size", "size_in_mib", "thin_provision", "uuid", "lvs_name",
                "clear_method");
        String name = p.requiredString("lvol_name");
        long size = p.optionalLong("size_in_mib").map(m -> m * MIB).orElse(p.optionalLong("size", 0));
        boolean thin = p.optionalBool("thin_provision", false);
        String clear = p.optionalString("clear_method").orElse("unmap");
        Lvstore lvs = lvstoreByParams(p, "uuid", "lvs_name");
        if (!CLEAR_METHODS.contains(clear) || name.isEmpty() || name.length() > 63) {
            throw RpcError.errno(22);
        }
        if (lvs.findLvol(name) != null) {
            throw RpcError.errno(17);
        }
        Lvol lvol = new Lvol(TargetState.newUuid(), name, lvs, roundUp(size, lvs.clusterSize), thin);
        if (lvol.allocatedClusters > lvs.freeClusters()) {
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 28);
        }
        lvs.lvols.put(name, lvol);
        try {
            lvs.persist();
        } catch (IOException e) {
            lvs.lvols.remove(name);
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 5);
        }
        t.registerLvol(lvol);
        return Json.text(lvol.uuid);
    }

    private static long roundUp(long bytes, long unit) {
        return (bytes + unit - 1) / unit * unit;
    }

    private Lvol findLvol(String nameOrAlias) throws RpcError {
        Bdev b = t.findBdev(nameOrAlias);
        if (b == null || b.kind != Bdev.Kind.LVOL) {
            throw RpcError.errno(19);
        }
        for (Lvstore lvs : t.lvstores.values()) {
            Lvol l = lvs.findLvol(b.uuid);
            if (l != null) {
                return l;
            }
        }
        throw RpcError.errno(19);
    }

    private List<Lvol> clonesOf(Lvol snapshot) {
        List<Lvol> out = new ArrayList<>();
        for (Lvol l : snapshot.lvstore.lvols.values()) {
            if (snapshot.uuid.equals(l.parentUuid)) {
                out.add(l);
            }
        }
        return out;
    }

    private JsonNode delete(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name");
        Lvol lvol = findLvol(p.requiredString("name"));
        List<Lvol> clones = clonesOf(lvol);
        if (clones.size() > 1) {
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 1);
        }
        if (clones.size() == 1) {
            // The single clone inherits the snapshot's clusters and parent, as blobstore does.
            Lvol clone = clones.get(0);
            clone.allocatedClusters = Math.min(clone.lvstore.clustersFor(clone.sizeBytes),
                    clone.allocatedClusters + lvol.allocatedClusters);
            clone.parentUuid = lvol.parentUuid;
        }
        Lvstore lvs = lvol.lvstore;
        lvs.lvols.remove(lvol.name);
        if (lvol.bdev != null) {
            t.unregister(lvol.bdev);
        }
        persist(lvs);
        return Json.ok();
    }

    private JsonNode resize(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "size", "size_in_mib");
        String name = p.requiredString("name");
        long size = p.optionalLong("size_in_mib").map(m -> m * MIB).orElse(p.optionalLong("size", 0));
        Lvol lvol = findLvol(name);
        Lvstore lvs = lvol.lvstore;
        if (lvol.snapshot) {
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 1);
        }
        long newSize = roundUp(size, lvs.clusterSize);
        if (!lvol.thin) {
            long need = lvs.clustersFor(newSize) - lvol.allocatedClusters;
            if (need > lvs.freeClusters()) {
                throw RpcError.withCode(RpcError.INVALID_PARAMS, 28);
            }
            lvol.allocatedClusters = lvs.clustersFor(newSize);
        }
        lvol.sizeBytes = newSize;
        lvol.bdev.numBlocks = newSize / lvs.blockSize();
        persist(lvs);
        return Json.ok();
    }

    private JsonNode snapshot(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "lvol_name", "snapshot_name");
        Lvol origin = findLvol(p.requiredString("lvol_name"));
        String name = p.requiredString("snapshot_name");
        Lvstore lvs = origin.lvstore;
        if (lvs.findLvol(name) != null) {
            throw RpcError.errno(17);
        }
        Lvol snap = new Lvol(TargetState.newUuid(), name, lvs, origin.sizeBytes, true);
        snap.thin = false;
        snap.snapshot = true;
        snap.allocatedClusters = origin.allocatedClusters;
        snap.parentUuid = origin.parentUuid;
        snap.content = origin.content;
        // The origin keeps running as a thin clone of its new snapshot, owning no clusters yet.
        origin.allocatedClusters = 0;
        origin.thin = true;
        origin.parentUuid = snap.uuid;
        lvs.lvols.put(name, snap);
        persist(lvs);
        t.registerLvol(snap);
        return Json.text(snap.uuid);
    }

    private JsonNode clone(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "snapshot_name", "clone_name");
        Lvol snap = findLvol(p.requiredString("snapshot_name"));
        String name = p.requiredString("clone_name");
        Lvstore lvs = snap.lvstore;
        if (lvs.findLvol(name) != null) {
            throw RpcError.errno(17);
        }
        if (!snap.snapshot) {
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 22);
        }
        Lvol clone = new Lvol(TargetState.newUuid(), name, lvs, snap.sizeBytes, true);
        clone.parentUuid = snap.uuid;
        clone.content = snap.content;
        lvs.lvols.put(name, clone);
        persist(lvs);
        t.registerLvol(clone);
        return Json.text(clone.uuid);
    }

    private JsonNode getLvols(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "lvs_uuid", "lvs_name");
        var out = Json.array();
        Lvstore only = null;
        if (p.has("lvs_uuid") || p.has("lvs_name")) {
            only = lvstoreByParams(p, "lvs_uuid", "lvs_name");
        }
        for (Lvstore lvs : t.lvstores.values()) {
            if (only == null || only == lvs) {
                lvs.lvols.values().forEach(l -> out.add(l.toJson()));
            }
        }
        return out;
    }

    private JsonNode setXattr(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "xattr_name", "xattr_value");
        Lvol lvol = findLvol(p.requiredString("name"));
        lvol.xattrs.put(p.requiredString("xattr_name"), p.requiredString("xattr_value"));
        persist(lvol.lvstore);
        return Json.ok();
    }

    private JsonNode getXattr(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "xattr_name");
        Lvol lvol = findLvol(p.requiredString("name"));
        String v = lvol.xattrs.get(p.requiredString("xattr_name"));
        if (v == null) {
            throw RpcError.errno(61);
        }
        return Json.text(v);
    }

    private static void persist(Lvstore lvs) throws RpcError {
        try {
            lvs.persist();
        } catch (IOException e) {
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 5);
        }
    }
}
