package io.vda.infra.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Data clusters as SPDK's blobstore leaves them after its metadata (values from the recordings). */
class LvstoreGeometryTest {
    private static final long MIB = 1 << 20;

    @Test
    void shouldLeaveOneClusterForMetadataWhenDiskIsSmall() {
        // Given / When / Then: 256 MiB -> 63, 128 MiB -> 31, 64 MiB -> 15 (4 MiB clusters)
        assertEquals(63, Lvstore.dataClusters(256 * MIB, 4 * MIB, 100));
        assertEquals(31, Lvstore.dataClusters(128 * MIB, 4 * MIB, 100));
        assertEquals(15, Lvstore.dataClusters(64 * MIB, 4 * MIB, 100));
    }

    @Test
    void shouldReserveOneMetadataPagePerClusterWhenDiskIsLarge() {
        // Given 1 TiB: 262,144 clusters need 262,144 md pages plus super block and masks = 257 clusters
        long clusters = (1L << 40) / (4 * MIB);

        // When
        long data = Lvstore.dataClusters(1L << 40, 4 * MIB, 100);

        // Then
        assertEquals(clusters - 257, data);
    }
}
