package io.vda.projections.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TimeAlignedBufferTest {

    private final TimeAlignedBuffer<String, Long> buffer = new TimeAlignedBuffer<>(t -> t, 1_000);
    private final List<String> partitions = List.of("events", "status");

    @Test
    void shouldReleaseRecordsOfAllPartitionsInTimeOrderKeepingEachPartitionsOrder() {
        buffer.add("events", List.of(1L, 5L, 9L));
        buffer.add("status", List.of(2L, 3L, 10L));

        List<Long> released = buffer.release(partitions, p -> false, 0, 100);

        assertThat(released).containsExactly(1L, 2L, 3L, 5L, 9L, 10L);
    }

    @Test
    void shouldWaitForALaggingPartitionWithNothingBuffered() {
        buffer.add("status", List.of(2L, 3L));

        assertThat(buffer.release(partitions, Set.of("events")::contains, 0, 100)).isEmpty();
        buffer.add("events", List.of(1L));

        assertThat(buffer.release(partitions, Set.of("events")::contains, 10, 100)).containsExactly(1L);
    }

    @Test
    void shouldStopAtTheEndOfALaggingPartitionsBufferedRecords() {
        buffer.add("events", List.of(1L, 4L));
        buffer.add("status", List.of(2L, 5L, 6L));

        assertThat(buffer.release(partitions, Set.of("events")::contains, 0, 100)).containsExactly(1L, 2L, 4L);
        assertThat(buffer.buffered("status")).isEqualTo(2);
    }

    @Test
    void shouldStopWaitingForAPartitionAfterTheLongestWait() {
        buffer.add("status", List.of(2L, 3L));

        assertThat(buffer.release(partitions, Set.of("events")::contains, 0, 100)).isEmpty();

        assertThat(buffer.release(partitions, Set.of("events")::contains, 1_500, 100)).containsExactly(2L, 3L);
    }

    @Test
    void shouldReleaseAtMostTheLimit() {
        buffer.add("events", List.of(1L, 2L, 3L));

        assertThat(buffer.release(partitions, p -> false, 0, 2)).containsExactly(1L, 2L);
    }
}
