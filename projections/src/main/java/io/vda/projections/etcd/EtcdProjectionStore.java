package io.vda.projections.etcd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.vda.projections.batch.Batch;
import io.vda.projections.batch.TransactionBatcher;
import io.vda.projections.document.DocumentCache;
import io.vda.projections.document.ProjectionKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's etcd side: the single-writer lock (owner key bound to a lease), loading documents and positions at
 * start, the rebuild wipe, and writing a {@link Batch} in one transaction guarded by the lock. See ADR 0021.
 */
public final class EtcdProjectionStore implements TransactionBatcher.Sink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdProjectionStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** An outcome lease is reused for this long, so outcomes expire between retention and retention + this. */
    private static final Duration OUTCOME_LEASE_REUSE = Duration.ofHours(1);

    /** What etcd held at start: the documents and the next offset of each partition. */
    public record Loaded(int documents, Map<Batch.Partition, Long> offsets, long revision) {
    }

    private final Client client;
    private final KV kv;
    private final Lease lease;
    private final ProjectionKeys keys;
    private final Duration timeout;
    private final Duration outcomeRetention;
    private final int maxOperations;
    private final int maxBytes;
    private final ByteSequence ownerKey;
    private final ByteSequence ownerId;

    private long ownerLease;
    private CloseableClient keepAlive;
    private final ByteSequence sequenceKey;
    private final int pipelineDepth;
    private final Consumer<Batch> committed;
    private final ArrayDeque<Map.Entry<Pending, CompletableFuture<TxnResponse>>> inFlight = new ArrayDeque<>();
    private long submitted;
    private long outcomeLease;
    private Instant outcomeLeaseGranted = Instant.EPOCH;

    /**
     * @param pipelineDepth transactions in flight at once (1 = each waits for the previous)
     * @param committed     told of each batch once etcd holds it, in order
     */
    public EtcdProjectionStore(Client client, ProjectionKeys keys, Duration timeout, Duration outcomeRetention,
                               int maxOperations, int maxBytes, int pipelineDepth, Consumer<Batch> committed) {
        this.sequenceKey = bytes(keys.sequence());
        this.pipelineDepth = pipelineDepth;
        this.committed = committed;
        this.client = client;
        this.kv = client.getKVClient();
        this.lease = client.getLeaseClient();
        this.keys = keys;
        this.timeout = timeout;
        this.outcomeRetention = outcomeRetention;
        this.maxOperations = maxOperations;
        this.maxBytes = maxBytes;
        this.ownerKey = bytes(keys.owner());
        this.ownerId = bytes(UUID.randomUUID() + "@" + ProcessHandle.current().pid());
    }

    /**
     * Takes the single-writer lock: puts the owner key with a lease kept alive by this process, waiting while another
     * process holds it (a crashed one's lease expires within the TTL).
     */
    public void acquireOwnership(Duration ttl) {
        ownerLease = await(lease.grant(Math.max(1, ttl.toSeconds()))).getID();
        keepAlive = lease.keepAlive(ownerLease, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
            }

            @Override
            public void onError(Throwable t) {
                LOG.warn("Keeping the projection owner lease alive failed: {}", t.toString());
            }

            @Override
            public void onCompleted() {
            }
        });
        Instant waitingSince = Instant.now();
        Instant nextLog = Instant.EPOCH;
        while (true) {
            TxnResponse response = await(kv.txn()
                    .If(new Cmp(ownerKey, Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(Op.put(ownerKey, ownerId, PutOption.builder().withLeaseId(ownerLease).build()))
                    .Else(Op.get(ownerKey, GetOption.DEFAULT))
                    .commit());
            if (response.isSucceeded()) {
                LOG.info("Projection owner lock {} taken by {} (lease {}, ttl {})", keys.owner(),
                        ownerId.toString(StandardCharsets.UTF_8), Long.toHexString(ownerLease), ttl);
                return;
            }
            if (Instant.now().isAfter(nextLog)) {
                List<KeyValue> holder = response.getGetResponses().get(0).getKvs();
                LOG.info("Waiting for the projection owner lock {} held by {} (waiting {} s)", keys.owner(),
                        holder.isEmpty() ? "?" : holder.get(0).getValue().toString(StandardCharsets.UTF_8),
                        Duration.between(waitingSince, Instant.now()).toSeconds());
                nextLog = Instant.now().plusSeconds(5);
            }
            sleep(Duration.ofMillis(200));
        }
    }

    /** Rebuild: deletes the documents, outcomes, positions and bookkeeping in one transaction (the lock is kept). */
    public void wipe() {
        DeleteOption prefix = DeleteOption.builder().isPrefix(true).build();
        TxnResponse response = await(kv.txn()
                .If(ownedByMe())
                .Then(Op.delete(bytes(keys.documents().resourcesPrefix()), prefix),
                        Op.delete(bytes(keys.documents().commandsPrefix()), prefix),
                        Op.delete(bytes(keys.documents().projectionOffsetsPrefix()), prefix),
                        Op.delete(bytes(keys.unattachedPrefix()), prefix),
                        Op.delete(bytes(keys.nodeFailuresPrefix()), prefix))
                .commit());
        if (!response.isSucceeded()) {
            throw new OwnershipLostException("lost the projection owner lock before the rebuild wipe");
        }
        LOG.info("Rebuild: wiped {}, {}, {} and {}", keys.documents().resourcesPrefix(),
                keys.documents().commandsPrefix(), keys.documents().projectionOffsetsPrefix(), keys.statePrefix());
    }

    /** Loads the documents into the cache and returns the stored positions, all at one etcd revision. */
    public Loaded load(DocumentCache cache) {
        Map<Batch.Partition, Long> offsets = new HashMap<>();
        String offsetsPrefix = keys.documents().projectionOffsetsPrefix();
        long revision = EtcdRanges.scan(kv, offsetsPrefix, 0, timeout, kv -> {
            String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(offsetsPrefix.length());
            int slash = rest.lastIndexOf('/');
            offsets.put(new Batch.Partition(rest.substring(0, slash), Integer.parseInt(rest.substring(slash + 1))),
                    Long.parseLong(kv.getValue().toString(StandardCharsets.UTF_8)));
        });
        int[] documents = {0};
        for (String prefix : List.of(keys.documents().resourcesPrefix(), keys.unattachedPrefix(),
                keys.nodeFailuresPrefix())) {
            EtcdRanges.scan(kv, prefix, revision, timeout, kv -> {
                cache.load(kv.getKey().toString(StandardCharsets.UTF_8), parse(kv.getValue()));
                documents[0]++;
            });
        }
        long[] sequence = {-1};
        EtcdRanges.scan(kv, keys.sequence(), revision, timeout, kv -> {
            if (kv.getKey().toString(StandardCharsets.UTF_8).equals(keys.sequence())) {
                sequence[0] = Long.parseLong(kv.getValue().toString(StandardCharsets.UTF_8));
            }
        });
        if (sequence[0] < 0) {
            TxnResponse response = await(kv.txn().If(ownedByMe())
                    .Then(Op.put(sequenceKey, bytes("0"), PutOption.DEFAULT)).commit());
            if (!response.isSucceeded()) {
                throw new OwnershipLostException("lost the projection owner lock while starting");
            }
            sequence[0] = 0;
        }
        submitted = sequence[0];
        return new Loaded(documents[0], offsets, revision);
    }

    /**
     * Submits a batch: its document changes and positions in one transaction, guarded by the lock and by the
     * transaction sequence, so that it applies only after every earlier one did. Up to the pipeline depth of
     * transactions are in flight; {@link #drain()} waits for them. A transaction that reached etcd before its
     * predecessor fails its sequence check and is sent again once the predecessor is in.
     */
    @Override
    public void commit(Batch batch) {
        List<Op> documents = new ArrayList<>(batch.values().size());
        List<Integer> sizes = new ArrayList<>(batch.values().size());
        for (Map.Entry<String, ObjectNode> change : batch.changes().entrySet()) {
            String key = change.getKey();
            byte[] value = batch.values().get(key);
            if (change.getValue() == null) {
                documents.add(Op.delete(bytes(key), DeleteOption.DEFAULT));
                sizes.add(key.length() + 16);
            } else {
                PutOption option = keys.isCommandOutcome(key)
                        ? PutOption.builder().withLeaseId(outcomeLease()).build() : PutOption.DEFAULT;
                documents.add(Op.put(bytes(key), ByteSequence.from(value), option));
                sizes.add(key.length() + value.length + 16);
            }
        }
        List<Op> positions = new ArrayList<>();
        batch.nextOffsets().forEach((partition, next) -> positions.add(Op.put(
                bytes(keys.documents().projectionOffset(partition.topic(), partition.partition())),
                bytes(Long.toString(next)), PutOption.DEFAULT)));
        // Normally one transaction. A single record whose changes exceed one transaction (deleting a disk array with
        // very many exporters) is written in several; only the last carries the positions, and replaying the record
        // after a crash in between converges to the same documents (its changes are idempotent).
        int from = 0;
        while (true) {
            int to = from;
            long bytes = 0;
            while (to < documents.size() && to - from < maxOperations - positions.size() - 1
                    && (to == from || bytes + sizes.get(to) <= maxBytes - 4096)) {
                bytes += sizes.get(to);
                to++;
            }
            boolean last = to == documents.size();
            List<Op> ops = new ArrayList<>(documents.subList(from, to));
            if (last) {
                ops.addAll(positions);
            }
            submit(new Pending(++submitted, ops, last ? batch : null));
            if (last) {
                return;
            }
            from = to;
        }
    }

    /** A transaction in flight: its sequence number, operations, and the batch it completes (if it is the last). */
    private record Pending(long sequence, List<Op> ops, Batch batch) {
    }

    private void submit(Pending pending) {
        while (inFlight.size() >= pipelineDepth) {
            completeOldest();
        }
        inFlight.addLast(Map.entry(pending, send(pending)));
    }

    private CompletableFuture<TxnResponse> send(Pending pending) {
        List<Op> ops = new ArrayList<>(pending.ops());
        ops.add(Op.put(sequenceKey, bytes(Long.toString(pending.sequence())), PutOption.DEFAULT));
        return kv.txn()
                .If(ownedByMe(), new Cmp(sequenceKey, Cmp.Op.EQUAL,
                        CmpTarget.value(bytes(Long.toString(pending.sequence() - 1)))))
                .Then(ops.toArray(Op[]::new))
                .Else(Op.get(ownerKey, GetOption.DEFAULT), Op.get(sequenceKey, GetOption.DEFAULT))
                .commit();
    }

    private void completeOldest() {
        Map.Entry<Pending, CompletableFuture<TxnResponse>> oldest = inFlight.pollFirst();
        Pending pending = oldest.getKey();
        TxnResponse response = await(oldest.getValue());
        if (!response.isSucceeded()) {
            checkOwner(response);
            // Every earlier transaction is in: this one overtook its predecessor on the way. Send it again.
            LOG.debug("Transaction {} reached etcd before its predecessor; sending it again", pending.sequence());
            response = await(send(pending));
            if (!response.isSucceeded()) {
                checkOwner(response);
                throw new IllegalStateException("projection transaction " + pending.sequence()
                        + " does not follow the sequence in etcd ("
                        + valueOf(response, 1) + "): another writer changed " + keys.statePrefix());
            }
        }
        if (pending.batch() != null) {
            committed.accept(pending.batch());
        }
    }

    private void checkOwner(TxnResponse response) {
        String owner = valueOf(response, 0);
        if (!ownerId.toString(StandardCharsets.UTF_8).equals(owner)) {
            throw new OwnershipLostException("the projection owner lock " + keys.owner()
                    + " is no longer held by this process (holder: " + owner + "): another projection took over");
        }
    }

    private static String valueOf(TxnResponse response, int get) {
        List<KeyValue> kvs = response.getGetResponses().get(get).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
    }

    /** Waits until every submitted transaction is in etcd (or throws). */
    public void drain() {
        while (!inFlight.isEmpty()) {
            completeOldest();
        }
    }

    private Cmp ownedByMe() {
        return new Cmp(ownerKey, Cmp.Op.EQUAL, CmpTarget.value(ownerId));
    }

    private long outcomeLease() {
        Instant now = Instant.now();
        if (outcomeLease == 0 || now.isAfter(outcomeLeaseGranted.plus(OUTCOME_LEASE_REUSE))) {
            long ttl = outcomeRetention.plus(OUTCOME_LEASE_REUSE).toSeconds();
            outcomeLease = await(lease.grant(ttl)).getID();
            outcomeLeaseGranted = now;
            LOG.info("Command outcomes now written with lease {} (ttl {} s)", Long.toHexString(outcomeLease), ttl);
        }
        return outcomeLease;
    }

    /** Releases the lock at once (a clean stop), so a successor need not wait for the lease to expire. */
    @Override
    public void close() {
        if (keepAlive != null) {
            keepAlive.close();
        }
        if (ownerLease != 0) {
            try {
                lease.revoke(ownerLease).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("Could not revoke the projection owner lease: {}", e.toString());
            }
        }
    }

    private static ObjectNode parse(ByteSequence value) {
        try {
            return (ObjectNode) MAPPER.readTree(value.getBytes());
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("a projection document in etcd is not a JSON object", e);
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for etcd", e);
        } catch (ExecutionException e) {
            throw new EtcdUnavailableException("etcd request failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new EtcdUnavailableException("etcd did not answer within " + timeout, e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis()); // lock polling interval while another process owns the projection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the projection owner lock", e);
        }
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    public Client client() {
        return client;
    }
}
