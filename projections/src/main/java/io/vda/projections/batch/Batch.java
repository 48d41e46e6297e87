package io.vda.projections.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.SortedMap;

/**
 * What one etcd transaction writes: the coalesced document changes of a run of records (null = delete, with the
 * serialized bytes of each put), and for each partition the run touched, the offset after its last record.
 *
 * @param changes    key → new document, or null to delete
 * @param values     key → the document's UTF-8 JSON (absent for deletions)
 * @param firstOffsets partition → offset of the batch's first record there (for logs and tests)
 * @param nextOffsets partition → next offset to read, valid once these changes are written
 * @param records    how many records (and position moves) the batch covers
 */
public record Batch(SortedMap<String, ObjectNode> changes, Map<String, byte[]> values,
                    Map<Partition, Long> firstOffsets, Map<Partition, Long> nextOffsets, int records) {

    /** A topic partition, without Kafka's type so the batching stays pure. */
    public record Partition(String topic, int partition) {
    }
}
