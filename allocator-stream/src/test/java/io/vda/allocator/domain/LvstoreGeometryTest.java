package io.vda.allocator.domain;

import static io.vda.allocator.domain.LvstoreGeometry.CLUSTER_BYTES;
import static io.vda.allocator.domain.LvstoreGeometry.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LvstoreGeometryTest {

    @Test
    void shouldGive63DataClustersFor256MibAsSpdkDoes() {
        assertThat(LvstoreGeometry.dataClusters(256 * MIB)).isEqualTo(63);
        assertThat(LvstoreGeometry.usableBytes(256 * MIB)).isEqualTo(63 * CLUSTER_BYTES);
    }

    @Test
    void shouldGive31DataClustersForA128MibRaidAsSpdkDoes() {
        assertThat(LvstoreGeometry.dataClusters(128 * MIB)).isEqualTo(31);
    }

    @Test
    void shouldCountOneMoreMetadataClusterPerThousandClusters() {
        assertThat(LvstoreGeometry.metadataClusters(64)).isEqualTo(1);
        assertThat(LvstoreGeometry.metadataClusters(1024)).isEqualTo(2);
        assertThat(LvstoreGeometry.metadataClusters(256 * 1024)).isEqualTo(257);
        assertThat(LvstoreGeometry.dataClusters(4 * MIB)).isZero();
        assertThat(LvstoreGeometry.dataClusters(8 * MIB)).isEqualTo(1);
    }

    @Test
    void shouldSizeVirtualDisksLikeTheRecordedControllerWhenTwoVirtualDisksHold124Mib() {
        // the recording: two 64 MiB VDs → raid of 128 MiB → lvstore with 31 clusters = 124 MiB
        assertThat(LvstoreGeometry.virtualDiskBytes(124 * MIB, 2, 64)).isEqualTo(64 * MIB);
        assertThat(LvstoreGeometry.virtualDiskBytes(125 * MIB, 2, 64)).isEqualTo(68 * MIB);
    }

    @Test
    void shouldGiveTheSmallestVirtualDisksThatHoldTheArrayVolume() {
        Random random = new Random(7);
        for (int i = 0; i < 5000; i++) {
            long size = 1 + (long) (random.nextDouble() * 64L * 1024 * MIB);
            int strips = 1 + random.nextInt(16);
            long vd = LvstoreGeometry.virtualDiskBytes(size, strips, 64);
            long needed = LvstoreGeometry.ceilDiv(size, CLUSTER_BYTES);
            assertThat(vd % CLUSTER_BYTES).isZero();
            assertThat(LvstoreGeometry.dataClusters(strips * vd)).isGreaterThanOrEqualTo(needed);
            assertThat(LvstoreGeometry.dataClusters(strips * (vd - CLUSTER_BYTES))).isLessThan(needed);
        }
    }

    @Test
    void shouldRoundVirtualDisksToTheStripWhenTheStripExceedsACluster() {
        assertThat(LvstoreGeometry.virtualDiskBytes(10 * MIB, 1, 8192) % (8 * MIB)).isZero();
    }
}
