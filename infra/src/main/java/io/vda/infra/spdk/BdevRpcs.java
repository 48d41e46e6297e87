package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** bdev layer and the malloc and aio modules. */
final class BdevRpcs {
    private static final long TICK_RATE = 2_000_000_000L;

    private final TargetState t;
    private final boolean autoExamine;

    BdevRpcs(TargetState state, boolean autoExamine) {
        this.t = state;
        this.autoExamine = autoExamine;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("bdev_get_bdevs", this::getBdevs);
        m.put("bdev_malloc_create", this::mallocCreate);
        m.put("bdev_malloc_delete", p -> delete(p, Bdev.Kind.MALLOC));
        m.put("bdev_aio_create", this::aioCreate);
        m.put("bdev_aio_delete", p -> delete(p, Bdev.Kind.AIO));
        m.put("bdev_set_qos_limit", this::setQosLimit);
        m.put("bdev_get_iostat", this::getIostat);
        m.put("bdev_reset_iostat", this::resetIostat);
        m.put("bdev_examine", this::examine);
        m.put("bdev_wait_for_examine", p -> FrameworkRpcs.noParams("bdev_wait_for_examine", p, Json.ok()));
    }

    private JsonNode getBdevs(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "timeout_ms");
        var out = Json.array();
        if (p.optionalString("name").isPresent()) {
            Bdev b = t.findBdev(p.requiredString("name"));
            if (b == null) {
                throw RpcError.errno(19);
            }
            out.add(b.toJson());
            return out;
        }
        t.bdevs.values().forEach(b -> out.add(b.toJson()));
        return out;
    }

    private JsonNode mallocCreate(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "num_blocks", "block_size", "physical_block_size", "uuid",
                "optimal_io_boundary", "md_size", "md_interleave", "dif_type", "dif_is_head_of_md");
        long blockSize = p.requiredLong("block_size");
        long numBlocks = p.requiredLong("num_blocks");
        long physical = p.optionalLong("physical_block_size", blockSize);
        String uuid = p.optionalString("uuid").orElseGet(TargetState::newUuid);
        String name = p.optionalString("name").orElseGet(this::nextMallocName);
        if (blockSize == 0 || blockSize % 512 != 0 || numBlocks == 0 || !Uuids.valid(uuid)) {
            throw RpcError.errno(22);
        }
        if (t.nameTaken(name) || t.nameTaken(uuid)) {
            throw RpcError.errno(17);
        }
        Bdev b = new Bdev(name, uuid, Bdev.Kind.MALLOC, "Malloc disk", blockSize, numBlocks, true,
                MetadataArea.inMemory());
        b.aliases.add(uuid);
        b.configEntry = () -> {
            ObjectNode c = Json.object();
            c.put("name", name);
            c.put("num_blocks", numBlocks);
            c.put("block_size", blockSize);
            c.put("physical_block_size", physical);
            c.put("uuid", uuid);
            c.put("optimal_io_boundary", 0);
            return c;
        };
        t.register(b);
        return Json.text(name);
    }

    private String nextMallocName() {
        int i = 0;
        while (t.nameTaken("Malloc" + i)) {
            i++;
        }
        return "Malloc" + i;
    }

    private JsonNode aioCreate(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "filename", "block_size", "readonly", "fallocate");
        String name = p.requiredString("name");
        String filename = p.requiredString("filename");
        boolean override = p.has("block_size");
        // SPDK reads the device's logical block size; for a regular file the emulator assumes 512.
        long blockSize = p.optionalLong("block_size", 512);
        boolean readonly = p.optionalBool("readonly", false);
        if (t.nameTaken(name)) {
            throw RpcError.errno(17);
        }
        Path file = Path.of(filename);
        if (!Files.isRegularFile(file)) {
            throw RpcError.errno(2);
        }
        if (blockSize < 512 || Long.bitCount(blockSize) != 1) {
            throw RpcError.errno(22);
        }
        long numBlocks;
        try {
            numBlocks = Files.size(file) / blockSize;
        } catch (java.io.IOException e) {
            throw RpcError.errno(5);
        }
        if (numBlocks == 0) {
            throw RpcError.errno(22);
        }
        String uuid = TargetState.newUuid();
        Bdev b = new Bdev(name, uuid, Bdev.Kind.AIO, "AIO disk", blockSize, numBlocks, false,
                new AioFileMetadataArea(file));
        b.aliases.add(uuid);
        b.driverSpecific = () -> {
            ObjectNode d = Json.object();
            ObjectNode a = d.putObject("aio");
            a.put("filename", filename);
            a.put("block_size_override", override);
            a.put("readonly", readonly);
            return d;
        };
        b.configEntry = () -> {
            ObjectNode c = Json.object();
            c.put("name", name);
            c.put("block_size", blockSize);
            c.put("filename", filename);
            c.put("readonly", readonly);
            return c;
        };
        t.register(b);
        return Json.text(name);
    }

    private JsonNode delete(JsonNode params, Bdev.Kind kind) throws RpcError {
        Params p = Params.bdev(params, "name");
        Bdev b = t.bdevs.get(p.requiredString("name"));
        if (b == null || b.kind != kind) {
            throw RpcError.errno(19);
        }
        t.unregister(b);
        return Json.ok();
    }

    private JsonNode setQosLimit(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "rw_ios_per_sec", "rw_mbytes_per_sec", "r_mbytes_per_sec",
                "w_mbytes_per_sec");
        String name = p.requiredString("name");
        String[] keys = {"rw_ios_per_sec", "rw_mbytes_per_sec", "r_mbytes_per_sec", "w_mbytes_per_sec"};
        Long[] limits = new Long[4];
        boolean any = false;
        for (int i = 0; i < 4; i++) {
            limits[i] = p.optionalLong(keys[i]).orElse(null);
            any |= limits[i] != null;
        }
        Bdev b = t.findBdev(name);
        if (b == null) {
            throw RpcError.withCode(RpcError.INVALID_PARAMS, 19);
        }
        if (!any) {
            throw new RpcError(RpcError.INVALID_PARAMS, "No rate limits specified");
        }
        // SPDK's minimum granularity for IOPS limits is 1000.
        if (limits[0] != null && limits[0] % 1000 != 0) {
            throw new RpcError(RpcError.INTERNAL_ERROR, "Failed to configure rate limit: " + RpcError.strerror(22));
        }
        for (int i = 0; i < 4; i++) {
            if (limits[i] != null) {
                b.qos[i] = limits[i];
            }
        }
        return Json.ok();
    }

    private JsonNode getIostat(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "per_channel");
        ObjectNode out = Json.object();
        out.put("tick_rate", TICK_RATE);
        out.put("ticks", System.nanoTime() * 2);
        var arr = out.putArray("bdevs");
        if (p.optionalString("name").isPresent()) {
            Bdev b = t.findBdev(p.requiredString("name"));
            if (b == null) {
                throw RpcError.errno(19);
            }
            arr.add(b.ioStat.toJson(b.name));
        } else {
            t.bdevs.values().forEach(b -> arr.add(b.ioStat.toJson(b.name)));
        }
        return out;
    }

    private JsonNode resetIostat(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "mode");
        for (Bdev b : t.bdevs.values()) {
            if (p.optionalString("name").map(b::answersTo).orElse(true)) {
                b.ioStat.bytesRead = b.ioStat.readOps = b.ioStat.bytesWritten = b.ioStat.writeOps = 0;
                b.ioStat.bytesUnmapped = b.ioStat.unmapOps = 0;
            }
        }
        return Json.ok();
    }

    private JsonNode examine(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name");
        String name = p.requiredString("name");
        // SPDK refuses manual examine while bdev_auto_examine is on (the default).
        if (autoExamine) {
            throw RpcError.errno(22);
        }
        Bdev b = t.findBdev(name);
        if (b == null) {
            throw RpcError.errno(19);
        }
        t.examineLvstore(b);
        return Json.ok();
    }
}
