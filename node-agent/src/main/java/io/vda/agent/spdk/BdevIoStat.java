package io.vda.agent.spdk;

import java.util.List;

/** bdev_get_iostat: counters since the bdev was created (or reset). */
public record BdevIoStat(long tickRate, long ticks, List<Entry> bdevs) {

    public record Entry(String name, long bytesRead, long numReadOps, long bytesWritten, long numWriteOps,
            long bytesUnmapped, long numUnmapOps, long readLatencyTicks, long writeLatencyTicks) {
    }
}
