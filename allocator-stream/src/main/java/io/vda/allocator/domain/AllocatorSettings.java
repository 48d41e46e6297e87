package io.vda.allocator.domain;

/**
 * Limits the decisions honour: an SPDK target holds a bounded number of NVMe-oF subsystems (data-path.md; the
 * original VDA ran with 1,024).
 *
 * @param maxVirtualDisksPerDiskNode subsystems on a disk node: one per virtual disk
 * @param maxSubsystemsPerControllerNode subsystems on a controller node: one per exporter of each array it hosts a
 *     controller of, plus the primary's export to its secondaries (counted on every controller of an array with
 *     secondaries, since any of them may become primary)
 */
public record AllocatorSettings(int maxVirtualDisksPerDiskNode, int maxSubsystemsPerControllerNode) {

    public static final int DEFAULT_MAX_VIRTUAL_DISKS_PER_DISK_NODE = 1024;
    public static final int DEFAULT_MAX_SUBSYSTEMS_PER_CONTROLLER_NODE = 1024;

    public AllocatorSettings {
        if (maxVirtualDisksPerDiskNode < 1 || maxSubsystemsPerControllerNode < 1) {
            throw new IllegalArgumentException("subsystem limits must be at least 1");
        }
    }

    public AllocatorSettings(int maxVirtualDisksPerDiskNode) {
        this(maxVirtualDisksPerDiskNode, DEFAULT_MAX_SUBSYSTEMS_PER_CONTROLLER_NODE);
    }

    public static AllocatorSettings defaults() {
        return new AllocatorSettings(DEFAULT_MAX_VIRTUAL_DISKS_PER_DISK_NODE, DEFAULT_MAX_SUBSYSTEMS_PER_CONTROLLER_NODE);
    }
}
