package io.vda.agent.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One entry of bdev_get_bdevs. An lvol's name is its uuid; "lvs/lvol" is among its aliases. */
public record Bdev(String name, List<String> aliases, String productName, long blockSize, long numBlocks,
        String uuid, QosLimits assignedRateLimits, boolean claimed, String claimType, JsonNode driverSpecific) {

    public long sizeBytes() {
        return blockSize * numBlocks;
    }
}
