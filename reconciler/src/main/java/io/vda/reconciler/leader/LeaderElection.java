package io.vda.reconciler.leader;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on one etcd key bound to a lease: whoever creates the key leads until its lease lapses (process
 * death, partition) or it resigns. A standby calls {@link #tryAcquire} on a period and takes over within the lease
 * TTL of the leader's death.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final Client etcd;
    private final ByteSequence key;
    private final ByteSequence candidate;
    private final Duration ttl;
    private final AtomicBoolean leading = new AtomicBoolean();
    private volatile long leaseId;
    private volatile CloseableClient keepAlive;

    public LeaderElection(Client etcd, String key, String candidateId, Duration ttl) {
        this.etcd = etcd;
        this.key = ByteSequence.from(key, StandardCharsets.UTF_8);
        this.candidate = ByteSequence.from(candidateId, StandardCharsets.UTF_8);
        this.ttl = ttl;
    }

    /** Becomes leader if nobody is; returns whether this candidate leads now. */
    public boolean tryAcquire() throws Exception {
        if (leading.get()) {
            return true;
        }
        long lease = etcd.getLeaseClient().grant(Math.max(1, ttl.toSeconds())).get(5, TimeUnit.SECONDS).getID();
        TxnResponse txn = etcd.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, candidate, PutOption.builder().withLeaseId(lease).build()))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit().get(5, TimeUnit.SECONDS);
        if (!txn.isSucceeded()) {
            etcd.getLeaseClient().revoke(lease);
            return false;
        }
        leaseId = lease;
        leading.set(true);
        keepAlive = etcd.getLeaseClient().keepAlive(lease, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                if (response.getTTL() <= 0) {
                    lost("lease expired");
                }
            }

            @Override
            public void onError(Throwable error) {
                lost("keep-alive failed: " + error.getMessage());
            }

            @Override
            public void onCompleted() {
                lost("keep-alive ended");
            }
        });
        LOG.info("Leader {}: acquired {} (lease {} s)", candidate.toString(StandardCharsets.UTF_8),
                key.toString(StandardCharsets.UTF_8), ttl.toSeconds());
        return true;
    }

    private void lost(String why) {
        if (leading.compareAndSet(true, false)) {
            LOG.warn("Leader {}: lost leadership: {}", candidate.toString(StandardCharsets.UTF_8), why);
        }
    }

    public boolean isLeader() {
        return leading.get();
    }

    /** Gives up leadership at once, so a standby need not wait for the lease to lapse. */
    public void resign() {
        if (leading.compareAndSet(true, false)) {
            if (keepAlive != null) {
                keepAlive.close();
            }
            try {
                etcd.getLeaseClient().revoke(leaseId).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Leader {}: could not revoke lease, it will lapse: {}",
                        candidate.toString(StandardCharsets.UTF_8), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        resign();
    }
}
