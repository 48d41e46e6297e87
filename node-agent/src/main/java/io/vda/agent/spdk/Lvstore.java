package io.vda.agent.spdk;

/** One entry of bdev_lvol_get_lvstores. */
public record Lvstore(String uuid, String name, String baseBdev, long totalDataClusters, long freeClusters,
        long blockSize, long clusterSize) {

    public long freeBytes() {
        return freeClusters * clusterSize;
    }

    public long totalDataBytes() {
        return totalDataClusters * clusterSize;
    }
}
