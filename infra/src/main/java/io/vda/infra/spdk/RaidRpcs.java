package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The raid module (raid0, raid1, concat), including its leniency towards members that do not exist yet. */
final class RaidRpcs {
    private final TargetState t;

    RaidRpcs(TargetState state) {
        this.t = state;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("bdev_raid_create", this::create);
        m.put("bdev_raid_delete", this::delete);
        m.put("bdev_raid_get_bdevs", this::getBdevs);
    }

    private static String level(String s, Params p) throws RpcError {
        return switch (s) {
            case "raid0", "0" -> "raid0";
            case "raid1", "1" -> "raid1";
            case "concat" -> "concat";
            case "raid5f", "5f" -> "raid5f";
            default -> throw p.decodeError();
        };
    }

    private JsonNode create(JsonNode params) throws RpcError {
        Params p = Params.raid(params, "name", "raid_level", "strip_size_kb", "base_bdevs", "uuid", "superblock");
        String name = p.requiredString("name");
        String level = level(p.requiredString("raid_level"), p);
        long strip = p.optionalLong("strip_size_kb", 0);
        List<String> members = p.requiredStrings("base_bdevs");
        String uuid = p.optionalString("uuid").orElseGet(TargetState::newUuid);
        p.optionalBool("superblock", false);
        String failed = "Failed to create RAID bdev " + name + ": ";
        if (t.raids.containsKey(name) || t.nameTaken(name)) {
            throw new RpcError(-17, failed + RpcError.strerror(17));
        }
        boolean striped = !level.equals("raid1");
        Set<String> distinct = new HashSet<>(members);
        if ((striped && (strip == 0 || Long.bitCount(strip) != 1)) || members.isEmpty()
                || distinct.size() != members.size() || level.equals("raid5f") || !Uuids.valid(uuid)) {
            throw new RpcError(-22, failed + RpcError.strerror(22));
        }
        Raid raid = new Raid(name, uuid, level, strip, members);
        // Claim what exists now; refuse the whole raid if a member is someone else's.
        for (String member : members) {
            Bdev b = t.findBdev(member);
            if (b != null && b.claim != Bdev.Claim.NONE) {
                throw new RpcError(-1, "Failed to add base bdev " + member + " to RAID bdev " + name + ": "
                        + RpcError.strerror(1));
            }
            if (b != null && b.blockSize != firstBlockSize(members, b)) {
                throw new RpcError(-22, failed + RpcError.strerror(22));
            }
        }
        t.raids.put(name, raid);
        for (int i = 0; i < members.size(); i++) {
            Bdev b = t.findBdev(members.get(i));
            if (b != null) {
                b.claim(Bdev.Claim.EXCLUSIVE_WRITE, raid);
                raid.members[i] = b;
            }
        }
        if (raid.complete()) {
            t.bringOnline(raid);
        }
        return Json.ok();
    }

    private long firstBlockSize(List<String> members, Bdev fallback) {
        for (String m : members) {
            Bdev b = t.findBdev(m);
            if (b != null) {
                return b.blockSize;
            }
        }
        return fallback.blockSize;
    }

    private JsonNode delete(JsonNode params) throws RpcError {
        Params p = Params.raid(params, "name");
        String name = p.requiredString("name");
        Raid raid = t.raids.get(name);
        if (raid == null) {
            throw new RpcError(-19, "raid bdev " + name + " not found");
        }
        if (raid.bdev != null) {
            Bdev rb = raid.bdev;
            raid.bdev = null;
            t.unregister(rb);
        }
        for (Bdev m : raid.members) {
            if (m != null && m.claimedBy == raid) {
                m.release();
            }
        }
        t.raids.remove(name);
        return Json.ok();
    }

    private JsonNode getBdevs(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "category");
        String category = p.requiredString("category");
        if (!Set.of("all", "online", "configuring", "offline").contains(category)) {
            throw RpcError.errno(22);
        }
        var out = Json.array();
        for (Raid r : t.raids.values()) {
            if (category.equals("all") || category.equals(r.state)) {
                out.add(r.toJson());
            }
        }
        return out;
    }
}
