package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** One registered block device and the bits of it that bdev_get_bdevs shows. */
final class Bdev {
    enum Kind { MALLOC, AIO, LVOL, NVME, RAID }

    enum Claim {
        NONE(null), EXCLUSIVE_WRITE("exclusive_write"), READ_MANY_WRITE_ONE("read_many_write_one");

        final String wire;

        Claim(String wire) {
            this.wire = wire;
        }
    }

    final String name;
    final String uuid;
    final List<String> aliases = new ArrayList<>();
    final Kind kind;
    final String productName;
    final long blockSize;
    long numBlocks;
    final boolean memoryDomains;
    /** Where lvstore (or raid member) metadata of this device lives. */
    final MetadataArea metadata;
    /** Builds the driver_specific member when asked. */
    Supplier<ObjectNode> driverSpecific = Json::object;
    /** Extra bdev_* config entries for framework_get_config, if the bdev has a creating RPC. */
    Supplier<ObjectNode> configEntry = () -> null;

    Claim claim = Claim.NONE;
    /** Who holds the claim: an lvstore, a raid, or a subsystem. */
    Object claimedBy;

    final long[] qos = new long[4]; // rw_ios_per_sec, rw_mbytes_per_sec, r_mbytes_per_sec, w_mbytes_per_sec
    final IoStat ioStat = new IoStat();

    Bdev(String name, String uuid, Kind kind, String productName, long blockSize, long numBlocks,
            boolean memoryDomains, MetadataArea metadata) {
        this.name = name;
        this.uuid = uuid;
        this.kind = kind;
        this.productName = productName;
        this.blockSize = blockSize;
        this.numBlocks = numBlocks;
        this.memoryDomains = memoryDomains;
        this.metadata = metadata;
    }

    long sizeBytes() {
        return blockSize * numBlocks;
    }

    boolean answersTo(String nameOrAlias) {
        return name.equals(nameOrAlias) || aliases.contains(nameOrAlias);
    }

    void claim(Claim type, Object owner) {
        this.claim = type;
        this.claimedBy = owner;
    }

    void release() {
        this.claim = Claim.NONE;
        this.claimedBy = null;
    }

    ObjectNode toJson() {
        ObjectNode b = Json.object();
        b.put("name", name);
        aliases.forEach(b.putArray("aliases")::add);
        b.put("product_name", productName);
        b.put("block_size", blockSize);
        b.put("num_blocks", numBlocks);
        b.put("uuid", uuid);
        ObjectNode limits = b.putObject("assigned_rate_limits");
        limits.put("rw_ios_per_sec", qos[0]);
        limits.put("rw_mbytes_per_sec", qos[1]);
        limits.put("r_mbytes_per_sec", qos[2]);
        limits.put("w_mbytes_per_sec", qos[3]);
        b.put("claimed", claim != Claim.NONE);
        if (claim != Claim.NONE) {
            b.put("claim_type", claim.wire);
        }
        b.put("zoned", false);
        b.set("supported_io_types", ioTypes());
        if (memoryDomains) {
            ObjectNode domain = b.putArray("memory_domains").addObject();
            domain.put("dma_device_id", "SPDK_ACCEL_DMA_DEVICE");
            domain.put("dma_device_type", 2);
        }
        b.set("driver_specific", driverSpecific.get());
        return b;
    }

    private ObjectNode ioTypes() {
        // As each bdev module of v23.09 reports them (see the recordings).
        boolean nvme = kind == Kind.NVME;
        ObjectNode t = Json.object();
        t.put("read", true);
        t.put("write", true);
        t.put("unmap", kind != Kind.AIO);
        t.put("write_zeroes", true);
        t.put("flush", kind != Kind.LVOL);
        t.put("reset", true);
        t.put("compare", nvme);
        t.put("compare_and_write", nvme);
        t.put("abort", nvme || kind == Kind.MALLOC);
        t.put("nvme_admin", nvme);
        t.put("nvme_io", nvme);
        return t;
    }

    /** bdev_get_iostat counters; the emulator moves no data, so only vda_emulator_record_io changes them. */
    static final class IoStat {
        long bytesRead;
        long readOps;
        long bytesWritten;
        long writeOps;
        long bytesUnmapped;
        long unmapOps;

        ObjectNode toJson(String name) {
            ObjectNode s = Json.object();
            s.put("name", name);
            s.put("bytes_read", bytesRead);
            s.put("num_read_ops", readOps);
            s.put("bytes_written", bytesWritten);
            s.put("num_write_ops", writeOps);
            s.put("bytes_unmapped", bytesUnmapped);
            s.put("num_unmap_ops", unmapOps);
            s.put("bytes_copied", 0);
            s.put("num_copy_ops", 0);
            s.put("read_latency_ticks", 0);
            s.put("max_read_latency_ticks", 0);
            s.put("min_read_latency_ticks", 0);
            s.put("write_latency_ticks", 0);
            s.put("max_write_latency_ticks", 0);
            s.put("min_write_latency_ticks", 0);
            s.put("unmap_latency_ticks", 0);
            s.put("max_unmap_latency_ticks", 0);
            s.put("min_unmap_latency_ticks", 0);
            s.put("copy_latency_ticks", 0);
            s.put("max_copy_latency_ticks", 0);
            s.put("min_copy_latency_ticks", 0);
            return s;
        }
    }
}
