package io.vda.projections.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.projections.document.DocumentCache;
import io.vda.projections.document.ProjectionInput;
import io.vda.projections.document.Projector;
import io.vda.projections.document.Workspace;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups records into etcd transactions: applies each record to a workspace over the pending batch, and commits the
 * pending batch first when taking the record in would exceed the limits of one transaction (operations, bytes).
 * Several records touching one key become one put. Each batch carries the offsets valid after its last record, so a
 * crash between two batches resumes exactly after the first.
 */
public final class TransactionBatcher {

    /** Limits of one etcd transaction (etcd 3.4 defaults: 128 operations, 1.5 MiB per request). */
    public record Limits(int maxOperations, int maxBytes) {
        public Limits {
            if (maxOperations < 2 || maxBytes < 1024) {
                throw new IllegalArgumentException("limits too small: " + maxOperations + " ops, " + maxBytes + " bytes");
            }
        }
    }

    /** Told about a record the projector could not apply; the record then changes nothing. */
    @FunctionalInterface
    public interface FailureHandler {
        void failed(ProjectionInput input, Batch.Partition partition, long offset, RuntimeException error);
    }

    /** Writes a batch durably, or throws; the batcher updates the cache only after it returned. */
    @FunctionalInterface
    public interface Sink {
        void commit(Batch batch);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Rough bytes an offset put adds to a request (key, value, framing). */
    private static final int OFFSET_OVERHEAD = 160;
    private static final int OP_OVERHEAD = 16;
    /** Bytes a document may grow by within one batch beyond its size when the batch first changed it. */
    private static final int GROWTH_ALLOWANCE = 1024;

    private final Projector projector;
    private final DocumentCache cache;
    private final Limits limits;
    private final Sink sink;
    private final FailureHandler failures;

    private Workspace pending;
    private Map<String, Integer> sizes = new HashMap<>();
    private Map<Batch.Partition, Long> offsets = new LinkedHashMap<>();
    private Map<Batch.Partition, Long> firstOffsets = new LinkedHashMap<>();
    private long bytes;
    private int records;

    public TransactionBatcher(Projector projector, DocumentCache cache, Limits limits, Sink sink,
                              FailureHandler failures) {
        this.failures = failures;
        this.projector = projector;
        this.cache = cache;
        this.limits = limits;
        this.sink = sink;
        this.pending = new Workspace(cache);
    }

    /** Takes in one record at an offset; a null input (a record that changes nothing, or a parked one) only advances. */
    public void offer(ProjectionInput input, Batch.Partition partition, long offset) {
        Workspace record = new Workspace(pending);
        if (input != null) {
            try {
                projector.apply(input, record);
            } catch (RuntimeException e) {
                failures.failed(input, partition, offset, e);
                record = new Workspace(pending);
            }
        }
        // A document's size is measured when the batch first changes it, plus room to grow: serializing it again
        // for every record that touches it would cost more than the write. The estimate keeps a batch well below the
        // hard limit, which EtcdProjectionStore enforces on the exact bytes.
        Map<String, Integer> recordSizes = new HashMap<>();
        record.changes().forEach((key, document) -> {
            Integer known = sizes.get(key);
            if (known != null && document != null) {
                recordSizes.put(key, known);
            } else {
                recordSizes.put(key, key.length() + OP_OVERHEAD
                        + (document == null ? 0 : serialize(document).length + GROWTH_ALLOWANCE));
            }
        });
        if (records > 0 && wouldExceed(recordSizes, partition)) {
            flush();
        }
        pending.absorb(record.changes());
        recordSizes.forEach((key, size) -> {
            Integer previous = sizes.put(key, size);
            bytes += size - (previous == null ? 0 : previous);
        });
        if (!offsets.containsKey(partition)) {
            bytes += OFFSET_OVERHEAD;
        }
        offsets.put(partition, offset + 1);
        firstOffsets.putIfAbsent(partition, offset);
        records++;
    }

    private boolean wouldExceed(Map<String, Integer> recordSizes, Batch.Partition partition) {
        int newKeys = 0;
        long newBytes = bytes;
        for (Map.Entry<String, Integer> entry : recordSizes.entrySet()) {
            Integer previous = sizes.get(entry.getKey());
            if (previous == null) {
                newKeys++;
            }
            newBytes += entry.getValue() - (previous == null ? 0 : previous);
        }
        boolean newPartition = !offsets.containsKey(partition);
        int operations = sizes.size() + newKeys + offsets.size() + (newPartition ? 1 : 0);
        if (newPartition) {
            newBytes += OFFSET_OVERHEAD;
        }
        return operations > limits.maxOperations() || newBytes > limits.maxBytes();
    }

    /**
     * Moves a partition's position to {@code nextOffset} without a record: past transaction markers and aborted
     * records, which a read_committed consumer skips.
     */
    public void advance(Batch.Partition partition, long nextOffset) {
        Long current = offsets.get(partition);
        if (current != null && current >= nextOffset) {
            return;
        }
        if (records > 0 && current == null && wouldExceed(Map.of(), partition)) {
            flush();
        }
        if (!offsets.containsKey(partition)) {
            bytes += OFFSET_OVERHEAD;
        }
        offsets.put(partition, nextOffset);
        records++;
    }

    /** Commits the pending batch, if any. */
    public void flush() {
        if (records == 0) {
            return;
        }
        // Leave out what would change nothing in etcd: deleting a key never written (a status parked and attached
        // within the batch), or putting the document etcd already holds (a duplicate record).
        TreeMap<String, ObjectNode> changes = new TreeMap<>();
        Map<String, byte[]> values = new HashMap<>();
        pending.changes().forEach((key, document) -> {
            boolean cached = cache.keys().isCached(key);
            ObjectNode current = cached ? cache.get(key) : null;
            if (cached && (document == null ? current == null : document.equals(current))) {
                return;
            }
            changes.put(key, document);
            if (document != null) {
                values.put(key, serialize(document));
            }
        });
        Batch batch = new Batch(changes, values, firstOffsets, offsets, records);
        sink.commit(batch);
        cache.apply(batch.changes());
        pending = new Workspace(cache);
        sizes = new HashMap<>();
        offsets = new LinkedHashMap<>();
        firstOffsets = new LinkedHashMap<>();
        bytes = 0;
        records = 0;
    }

    public int pendingRecords() {
        return records;
    }

    static byte[] serialize(ObjectNode document) {
        try {
            return MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a document", e);
        }
    }
}
