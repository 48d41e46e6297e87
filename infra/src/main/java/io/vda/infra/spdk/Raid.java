package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/** A raid bdev's configuration and assembly state (raid0, raid1, concat). */
final class Raid {
    static final String MEMBER_FORMAT = "vda-emulator-raid-member/1";

    final String name;
    final String uuid;
    final String level;
    final long stripSizeKb;
    final List<String> slotNames;
    final Bdev[] members;
    String state = "configuring";
    Bdev bdev;

    Raid(String name, String uuid, String level, long stripSizeKb, List<String> slotNames) {
        this.name = name;
        this.uuid = uuid;
        this.level = level;
        this.stripSizeKb = stripSizeKb;
        this.slotNames = List.copyOf(slotNames);
        this.members = new Bdev[slotNames.size()];
    }

    int discovered() {
        int n = 0;
        for (Bdev b : members) {
            if (b != null) {
                n++;
            }
        }
        return n;
    }

    boolean complete() {
        return discovered() == members.length;
    }

    /** Blocks as SPDK computes them: every member cut down to whole strips. */
    long numBlocks() {
        long blockSize = members[0].blockSize;
        long stripBlocks = Math.max(1, stripSizeKb * 1024 / blockSize);
        long min = Long.MAX_VALUE;
        long sum = 0;
        for (Bdev m : members) {
            min = Math.min(min, m.numBlocks);
            sum += m.numBlocks / stripBlocks * stripBlocks;
        }
        return switch (level) {
            case "raid1" -> min;
            case "concat" -> sum;
            default -> members.length * (min / stripBlocks * stripBlocks);
        };
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        o.put("strip_size_kb", stripSizeKb);
        o.put("state", state);
        o.put("raid_level", level);
        o.put("num_base_bdevs", members.length);
        o.put("num_base_bdevs_discovered", discovered());
        var list = o.putArray("base_bdevs_list");
        for (Bdev m : members) {
            if (m == null) {
                list.addNull();
            } else {
                list.add(m.name);
            }
        }
        return o;
    }

    /**
     * The raid's first blocks. SPDK stripes the lvstore metadata over the members; the emulator writes the whole
     * record, tagged with the member's position, to every member, so the store is found again only when the same
     * members are assembled in the same order (which is also what SPDK needs), on any controller node.
     */
    MetadataArea area() {
        return new MetadataArea() {
            @Override
            public JsonNode read() throws IOException {
                JsonNode payload = null;
                for (int i = 0; i < members.length; i++) {
                    JsonNode r = members[i].metadata.read();
                    if (r == null || !MEMBER_FORMAT.equals(r.path("format").asText())
                            || r.path("index").asInt(-1) != i || r.path("count").asInt() != members.length
                            || r.path("strip_size_kb").asLong() != stripSizeKb) {
                        return null;
                    }
                    if (payload != null && !payload.equals(r.get("payload"))) {
                        return null;
                    }
                    payload = r.get("payload");
                }
                return payload;
            }

            @Override
            public void write(JsonNode record) throws IOException {
                for (int i = 0; i < members.length; i++) {
                    ObjectNode r = null;
                    if (record != null) {
                        r = Json.object();
                        r.put("format", MEMBER_FORMAT);
                        r.put("raid_level", level);
                        r.put("strip_size_kb", stripSizeKb);
                        r.put("index", i);
                        r.put("count", members.length);
                        r.set("payload", record);
                    }
                    members[i].metadata.write(r);
                }
            }
        };
    }
}
