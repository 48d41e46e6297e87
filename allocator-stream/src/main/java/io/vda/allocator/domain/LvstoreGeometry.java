package io.vda.allocator.domain;

/**
 * SPDK lvstore arithmetic, written once. An lvstore cuts its bdev into 4 MiB clusters and keeps its metadata in the
 * first clusters; only the remaining "data clusters" hold lvols, and a thick lvol takes whole clusters.
 *
 * <p>Metadata model (conservative): the blobstore keeps a super block page, one metadata page per cluster (SPDK's
 * default {@code num_md_pages}) and three bitmaps (used metadata pages, used clusters, used blob ids), each at most
 * one page per 32,768 entries plus a header page. Those 4 KiB pages are rounded up to whole clusters:
 * <pre>
 *   total      = floor(bdevBytes / 4 MiB)
 *   mdPages    = 1 + total + 3 * (1 + ceil(total / 32768))
 *   metadata   = ceil(mdPages * 4 KiB / 4 MiB)          (about 1 cluster + 1 per 1,024)
 *   data       = total - metadata
 * </pre>
 * A 256 MiB disk gives 64 - 1 = 63 data clusters and a 128 MiB raid 31, as a real SPDK v23.09 reports.
 *
 * <p>Virtual disk sizing for a disk array of {@code sizeBytes} over {@code stripCnt} virtual disks: the primary builds
 * raid0 over the virtual disks and an lvstore on the raid, then the array's volume ({@code sizeBytes}, rounded up to
 * whole clusters) in that lvstore. So each virtual disk gets the smallest whole number of clusters {@code c}
 * (a multiple of the strip size when the strip is larger than a cluster) such that
 * {@code dataClusters(stripCnt * c * 4 MiB) >= ceil(sizeBytes / 4 MiB)}.
 */
public final class LvstoreGeometry {

    public static final long MIB = 1024L * 1024L;
    public static final long GIB = 1024L * MIB;
    public static final long CLUSTER_BYTES = 4 * MIB;
    public static final long PAGE_BYTES = 4096;
    private static final long BITS_PER_PAGE = PAGE_BYTES * 8;

    private LvstoreGeometry() {
    }

    public static long totalClusters(long bdevBytes) {
        return Math.max(0, bdevBytes) / CLUSTER_BYTES;
    }

    public static long metadataClusters(long totalClusters) {
        if (totalClusters <= 0) {
            return 0;
        }
        long mdPages = 1 + totalClusters + 3 * (1 + ceilDiv(totalClusters, BITS_PER_PAGE));
        return ceilDiv(mdPages * PAGE_BYTES, CLUSTER_BYTES);
    }

    /** Clusters an lvstore on a bdev of this size can give to lvols. */
    public static long dataClusters(long bdevBytes) {
        long total = totalClusters(bdevBytes);
        return Math.max(0, total - metadataClusters(total));
    }

    /** Bytes the allocator may place virtual disks on, for a physical disk of this size. */
    public static long usableBytes(long bdevBytes) {
        return dataClusters(bdevBytes) * CLUSTER_BYTES;
    }

    /** Size of each virtual disk of a disk array (see the class comment). */
    public static long virtualDiskBytes(long arrayBytes, int stripCnt, int stripSizeKb) {
        if (arrayBytes <= 0 || stripCnt <= 0) {
            throw new IllegalArgumentException("size and strip count must be positive");
        }
        long unitClusters = Math.max(1, ceilDiv(stripSizeKb * 1024L, CLUSTER_BYTES));
        long needed = ceilDiv(arrayBytes, CLUSTER_BYTES);
        long perVd = roundUp(ceilDiv(needed, stripCnt), unitClusters);
        while (dataClusters(stripCnt * perVd * CLUSTER_BYTES) < needed) {
            perVd += unitClusters;
        }
        return perVd * CLUSTER_BYTES;
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static long roundUp(long value, long unit) {
        return ceilDiv(value, unit) * unit;
    }
}
