package io.vda.projections.batch;

import static io.vda.projections.TestEvents.at;
import static io.vda.projections.TestEvents.diskArray;
import static io.vda.projections.TestEvents.diskArrayCreated;
import static io.vda.projections.TestEvents.diskNodeCreated;
import static io.vda.projections.TestEvents.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.vda.projections.document.DocumentCache;
import io.vda.projections.document.ProjectionInput;
import io.vda.projections.document.ProjectionKeys;
import io.vda.projections.document.Projector;
import io.vda.schema.EtcdKeys;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.model.DiskArray;
import io.vda.schema.status.ObjectState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransactionBatcherTest {

    private final EtcdKeys keys = new EtcdKeys("/t");
    private final ProjectionKeys projectionKeys = new ProjectionKeys(keys);
    private final DocumentCache cache = new DocumentCache(projectionKeys);
    private final List<Batch> committed = new ArrayList<>();
    private final List<Long> failed = new ArrayList<>();

    private TransactionBatcher batcher(int maxOperations, int maxBytes) {
        return new TransactionBatcher(new Projector(projectionKeys), cache,
                new TransactionBatcher.Limits(maxOperations, maxBytes), committed::add,
                (input, partition, offset, error) -> failed.add(offset));
    }

    private static final Batch.Partition EVENTS = new Batch.Partition("t.events", 0);
    private static final Batch.Partition STATUS = new Batch.Partition("t.status", 1);

    @Test
    void shouldSplitIntoTransactionsAtTheOperationLimitEachWithTheOffsetAfterItsLastRecord() {
        TransactionBatcher batcher = batcher(10, 1_000_000);

        for (int i = 0; i < 25; i++) {
            batcher.offer(new ProjectionInput.Event(diskNodeCreated("dn" + i, at(i))), EVENTS, 100 + i);
        }
        batcher.flush();

        assertThat(committed).hasSize(3);
        assertThat(committed).allSatisfy(b -> assertThat(b.changes().size() + b.nextOffsets().size())
                .isLessThanOrEqualTo(10));
        assertThat(committed.get(0).nextOffsets()).isEqualTo(Map.of(EVENTS, 109L));
        assertThat(committed.get(1).nextOffsets()).isEqualTo(Map.of(EVENTS, 118L));
        assertThat(committed.get(2).nextOffsets()).isEqualTo(Map.of(EVENTS, 125L));
        assertThat(cache.withPrefix(keys.diskNodesPrefix())).hasSize(25);
    }

    @Test
    void shouldSplitAtTheByteLimit() {
        TransactionBatcher batcher = batcher(128, 4096);

        for (int i = 0; i < 20; i++) {
            batcher.offer(new ProjectionInput.Event(diskNodeCreated("dn" + i, at(i))), EVENTS, i);
        }
        batcher.flush();

        assertThat(committed.size()).isGreaterThan(2);
        assertThat(committed).allSatisfy(b -> assertThat(b.values().values().stream()
                .mapToInt(v -> v.length).sum()).isLessThan(4096));
    }

    @Test
    void shouldCoalesceRecordsTouchingOneDocumentIntoOnePut() {
        TransactionBatcher batcher = batcher(128, 1_000_000);
        DiskArray db1 = diskArray("db1", List.of("dn1", "dn2"), List.of("cn1"), 1);

        batcher.offer(new ProjectionInput.Event(diskArrayCreated(db1, at(1))), EVENTS, 0);
        for (int i = 0; i < 50; i++) {
            batcher.offer(new ProjectionInput.ObjectStatusReport(status("dn1", "vd/db1/0", ResourceKind.DISK_ARRAY,
                    "db1", ObjectState.OK, null, 1, at(10 + i))), STATUS, i);
        }
        batcher.flush();

        assertThat(committed).hasSize(1);
        assertThat(committed.get(0).changes()).containsOnlyKeys(keys.diskArray("db1"));
        assertThat(committed.get(0).nextOffsets()).isEqualTo(Map.of(EVENTS, 1L, STATUS, 50L));
        assertThat(committed.get(0).records()).isEqualTo(51);
    }

    @Test
    void shouldAdvanceTheOffsetOfARecordThatChangesNothingOrCannotBeApplied() {
        TransactionBatcher batcher = batcher(128, 1_000_000);

        batcher.offer(null, EVENTS, 7);
        batcher.offer(new ProjectionInput.ObjectStatusReport(status("dn1", "weird-key", ResourceKind.UNKNOWN, "",
                ObjectState.OK, null, 1, at(1))), STATUS, 3);
        batcher.flush();

        assertThat(committed).singleElement().satisfies(b -> {
            assertThat(b.changes()).isEmpty();
            assertThat(b.nextOffsets()).isEqualTo(Map.of(EVENTS, 8L, STATUS, 4L));
        });
        assertThat(failed).isEmpty();
    }

    @Test
    void shouldLetTheFailureHandlerParkARecordTheProjectorCannotApply() {
        TransactionBatcher batcher = batcher(128, 1_000_000);
        // A record whose model is missing a required part: the projector fails on it.
        var broken = io.vda.schema.event.DiskNodeCreated.newBuilder(diskNodeCreated("dn1", at(1)));
        broken.getDiskNode(); // builder path keeps it valid; break it after build
        var event = broken.build();
        event.setDiskNode(null);

        batcher.offer(new ProjectionInput.Event(event), EVENTS, 5);
        batcher.flush();

        assertThat(failed).containsExactly(5L);
        assertThat(committed).singleElement().satisfies(b -> assertThat(b.nextOffsets()).containsEntry(EVENTS, 6L));
    }
}
