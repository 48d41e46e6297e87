package io.vda.projections.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** Reads a key prefix page by page at one revision, so a large prefix never exceeds gRPC's message size. */
public final class EtcdRanges {

    private static final int PAGE = 500;

    private EtcdRanges() {
    }

    /** Visits every key-value under the prefix in key order, at {@code revision} (0 = current); returns the revision. */
    public static long scan(KV kv, String prefix, long revision, Duration timeout, Consumer<KeyValue> visitor) {
        ByteSequence end = prefixEnd(prefix);
        ByteSequence from = ByteSequence.from(prefix, StandardCharsets.UTF_8);
        long atRevision = revision;
        while (true) {
            GetOption.Builder option = GetOption.builder().withRange(end).withLimit(PAGE)
                    .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND);
            if (atRevision > 0) {
                option.withRevision(atRevision);
            }
            GetResponse response = get(kv, from, option.build(), timeout);
            if (atRevision == 0) {
                atRevision = response.getHeader().getRevision();
            }
            response.getKvs().forEach(visitor);
            if (!response.isMore() || response.getKvs().isEmpty()) {
                return atRevision;
            }
            byte[] last = response.getKvs().get(response.getKvs().size() - 1).getKey().getBytes();
            byte[] next = Arrays.copyOf(last, last.length + 1); // the smallest key after the last one
            from = ByteSequence.from(next);
        }
    }

    static ByteSequence prefixEnd(String prefix) {
        byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(bytes, i + 1);
                end[i]++;
                return ByteSequence.from(end);
            }
        }
        return ByteSequence.from(new byte[] {0});
    }

    private static GetResponse get(KV kv, ByteSequence key, GetOption option, Duration timeout) {
        try {
            return kv.get(key, option).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading etcd", e);
        } catch (ExecutionException e) {
            throw new EtcdUnavailableException("etcd range read failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new EtcdUnavailableException("etcd did not answer within " + timeout, e);
        }
    }
}
