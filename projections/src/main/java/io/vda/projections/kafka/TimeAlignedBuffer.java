package io.vda.projections.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Merges records of several partitions in timestamp order across polls (as Kafka Streams does): a record is released
 * only when every partition that still has unread records has something buffered, so that records about one resource,
 * produced close together on different topics, reach the projection together and coalesce into one etcd write.
 * Each partition's own order is kept, so what is released is always a prefix of every partition. The order is an
 * optimisation only: the documents do not depend on it. A partition that holds the merge up longer than
 * {@code maxWaitMillis} is not waited for.
 *
 * @param <P> partition
 * @param <R> record
 */
public final class TimeAlignedBuffer<P, R> {

    private final ToLongFunction<R> timestamp;
    private final long maxWaitMillis;
    private final Map<P, ArrayDeque<R>> buffers = new HashMap<>();
    private long blockedSince = -1;

    public TimeAlignedBuffer(ToLongFunction<R> timestamp, long maxWaitMillis) {
        this.timestamp = timestamp;
        this.maxWaitMillis = maxWaitMillis;
    }

    public void add(P partition, List<R> records) {
        buffers.computeIfAbsent(partition, p -> new ArrayDeque<>()).addAll(records);
    }

    public int buffered(P partition) {
        ArrayDeque<R> buffer = buffers.get(partition);
        return buffer == null ? 0 : buffer.size();
    }

    /**
     * Releases records in timestamp order while it is safe to.
     *
     * @param partitions every assigned partition
     * @param lagging    whether a partition has records not yet fetched (its lag after the buffered ones)
     * @param nowMillis  the clock, for the longest wait
     * @param limit      at most this many records
     */
    public List<R> release(List<P> partitions, Function<P, Boolean> lagging, long nowMillis, int limit) {
        List<R> out = new ArrayList<>();
        PriorityQueue<P> heads = new PriorityQueue<>(
                Comparator.comparingLong((P p) -> timestamp.applyAsLong(buffers.get(p).peekFirst())));
        for (P p : partitions) {
            if (buffered(p) > 0) {
                heads.add(p);
            }
        }
        boolean waitingForSome = false;
        for (P p : partitions) {
            if (buffered(p) == 0 && lagging.apply(p)) {
                waitingForSome = true;
            }
        }
        if (waitingForSome) {
            if (blockedSince < 0) {
                blockedSince = nowMillis;
            }
            if (nowMillis - blockedSince < maxWaitMillis) {
                return out;
            }
        }
        blockedSince = -1;
        while (!heads.isEmpty() && out.size() < limit) {
            P p = heads.poll();
            ArrayDeque<R> buffer = buffers.get(p);
            out.add(buffer.pollFirst());
            if (!buffer.isEmpty()) {
                heads.add(p);
            } else if (lagging.apply(p)) {
                break; // its next records are not here yet: later ones elsewhere must wait for them
            }
        }
        return out;
    }
}
