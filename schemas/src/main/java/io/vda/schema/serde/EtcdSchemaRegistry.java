package io.vda.schema.serde;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.vda.schema.EtcdKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema registry kept in etcd (layout in {@link EtcdKeys}). Ids and versions are allocated by compare-and-swap
 * transactions, so concurrent registrants get distinct ids, and the same schema text always maps to one id.
 * Wrap it in {@link CachingSchemaRegistry} for use on a hot path.
 */
public final class EtcdSchemaRegistry implements SchemaRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdSchemaRegistry.class);
    private static final int MAX_ATTEMPTS = 100;

    private final KV kv;
    private final EtcdKeys keys;
    private final Duration timeout;

    public EtcdSchemaRegistry(Client etcd, EtcdKeys keys, Duration timeout) {
        this.kv = etcd.getKVClient();
        this.keys = keys;
        this.timeout = timeout;
    }

    @Override
    public int register(String subject, Schema schema) {
        String fingerprint = Fingerprints.of(schema);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<Integer> existing = intValue(get(keys.subjectFingerprint(subject, fingerprint)));
            if (existing.isPresent()) {
                return existing.get();
            }
            GetResponse latest = get(keys.subjectLatest(subject));
            List<BackwardCompatibility.Versioned> earlier = versions(subject);
            BackwardCompatibility.check(subject, schema, earlier);
            int id = idFor(fingerprint, schema);
            int version = earlier.isEmpty() ? 1 : earlier.get(earlier.size() - 1).version() + 1;
            // Succeeds only if nobody added a version since we read the subject.
            Cmp unchanged = latest.getKvs().isEmpty()
                    ? new Cmp(bytes(keys.subjectLatest(subject)), Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(bytes(keys.subjectLatest(subject)), Cmp.Op.EQUAL,
                            CmpTarget.modRevision(latest.getKvs().get(0).getModRevision()));
            TxnResponse txn = await(kv.txn()
                    .If(unchanged)
                    .Then(put(keys.subjectVersion(subject, version), Integer.toString(id)),
                            put(keys.subjectLatest(subject), Integer.toString(version)),
                            put(keys.subjectFingerprint(subject, fingerprint), Integer.toString(id)))
                    .commit());
            if (txn.isSucceeded()) {
                LOG.info("Subject {}: registered version {} with schema id {}", subject, version, id);
                return id;
            }
            LOG.debug("Subject {}: concurrent registration, retrying (attempt {})", subject, attempt);
        }
        throw new SchemaRegistryException("subject " + subject + ": too much contention registering a schema", null);
    }

    /** The global id of this exact schema text, allocated if new. */
    private int idFor(String fingerprint, Schema schema) {
        String fingerprintKey = keys.schemaIdByFingerprint(fingerprint);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<Integer> known = intValue(get(fingerprintKey));
            if (known.isPresent()) {
                return known.get();
            }
            GetResponse next = get(keys.schemaNextId());
            int id = intValue(next).orElse(1);
            Cmp nextUnchanged = next.getKvs().isEmpty()
                    ? new Cmp(bytes(keys.schemaNextId()), Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(bytes(keys.schemaNextId()), Cmp.Op.EQUAL,
                            CmpTarget.modRevision(next.getKvs().get(0).getModRevision()));
            TxnResponse txn = await(kv.txn()
                    .If(nextUnchanged, new Cmp(bytes(fingerprintKey), Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(put(keys.schemaNextId(), Integer.toString(id + 1)),
                            put(keys.schemaById(id), schema.toString()),
                            put(fingerprintKey, Integer.toString(id)))
                    .commit());
            if (txn.isSucceeded()) {
                return id;
            }
        }
        throw new SchemaRegistryException("too much contention allocating a schema id", null);
    }

    private List<BackwardCompatibility.Versioned> versions(String subject) {
        String prefix = keys.subjectVersionsPrefix(subject);
        GetResponse response = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build()));
        List<BackwardCompatibility.Versioned> result = new ArrayList<>();
        for (KeyValue entry : response.getKvs()) {
            int version = Integer.parseInt(entry.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length()));
            int id = Integer.parseInt(entry.getValue().toString(StandardCharsets.UTF_8));
            result.add(new BackwardCompatibility.Versioned(version, schemaById(id)));
        }
        return result;
    }

    @Override
    public Schema schemaById(int id) {
        GetResponse response = get(keys.schemaById(id));
        if (response.getKvs().isEmpty()) {
            throw new UnknownSchemaException(id);
        }
        return new Schema.Parser().parse(response.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        Optional<Integer> version = intValue(get(keys.subjectLatest(subject)));
        if (version.isEmpty()) {
            return Optional.empty();
        }
        int id = intValue(get(keys.subjectVersion(subject, version.get())))
                .orElseThrow(() -> new SchemaRegistryException("subject " + subject + " names version "
                        + version.get() + " but it is missing", null));
        return Optional.of(new RegisteredSchema(subject, version.get(), id, schemaById(id)));
    }

    private GetResponse get(String key) {
        return await(kv.get(bytes(key)));
    }

    private static Op put(String key, String value) {
        return Op.put(bytes(key), bytes(value), PutOption.DEFAULT);
    }

    private static Optional<Integer> intValue(GetResponse response) {
        return response.getKvs().isEmpty() ? Optional.empty()
                : Optional.of(Integer.parseInt(response.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8)));
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while talking to etcd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SchemaRegistryException("etcd did not answer the schema registry: " + e.getMessage(), e);
        }
    }
}
