package io.vda.allocator.domain;

/**
 * Limits the decisions honour.
 *
 * @param maxVirtualDisksPerDiskNode NVMe-oF subsystems an SPDK target holds: one per virtual disk on a disk node
 *     (data-path.md; the original VDA ran with 1,024)
 */
public record AllocatorSettings(int maxVirtualDisksPerDiskNode) {

    public static final int DEFAULT_MAX_VIRTUAL_DISKS_PER_DISK_NODE = 1024;

    public AllocatorSettings {
        if (maxVirtualDisksPerDiskNode < 1) {
            throw new IllegalArgumentException("maxVirtualDisksPerDiskNode must be at least 1");
        }
    }

    public static AllocatorSettings defaults() {
        return new AllocatorSettings(DEFAULT_MAX_VIRTUAL_DISKS_PER_DISK_NODE);
    }
}
