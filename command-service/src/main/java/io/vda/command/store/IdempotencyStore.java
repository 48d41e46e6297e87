package io.vda.command.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.vda.command.request.CommandRequest;
import io.vda.schema.EtcdKeys;
import io.vda.schema.json.AvroJson;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Remembers which command a request became, so that a retry returns the same command id instead of making a second
 * command. Two kinds of entry under {@link EtcdKeys#idempotencyKey}: {@code key:<Idempotency-Key header>} and
 * {@code command:<commandId>} (written for every command the gateway accepts, so {@code GET /v1/commands/{id}}
 * can tell "pending" from "unknown"). Each holds the command id and a hash of the request's meaning; the same key
 * with a different request is a conflict. Entries are put-if-absent in one transaction, before publishing, and live
 * on a shared lease ({@code VDA_IDEMPOTENCY_TTL}, renewed hourly).
 */
public final class IdempotencyStore {

    public static final Pattern KEY_SYNTAX = Pattern.compile("[A-Za-z0-9._:~-]{1,200}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE_SLICE = Duration.ofHours(1);

    private final Etcd etcd;
    private final EtcdKeys keys;
    private final Duration ttl;
    private final Clock clock;
    private Future<Long> lease;
    private Instant leaseRenewAt = Instant.MIN;

    public IdempotencyStore(Etcd etcd, EtcdKeys keys, Duration ttl, Clock clock) {
        this.etcd = etcd;
        this.keys = keys;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** What a claim found: the command id to use and whether an earlier request already took it. */
    public record Claim(String commandId, boolean replay) {
    }

    /** The same idempotency key or command id was used for a different request (422). */
    public static final class KeyReusedException extends RuntimeException {
        private final String field;

        public KeyReusedException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public static String commandEntry(String commandId) {
        return "command:" + commandId;
    }

    public static String headerEntry(String key) {
        return "key:" + key;
    }

    /** Hash of what the request means (the command without its id and time), so equal retries compare equal. */
    public static String requestHash(CommandRequest request) {
        ObjectNode json = AvroJson.toJson(request.command());
        json.remove("commandId");
        json.remove("issuedAt");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(request.commandType().getBytes(StandardCharsets.UTF_8));
            digest.update(JSON.writeValueAsBytes(json));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Records the request's command id under its idempotency entries unless they exist. A retry (same entries, same
     * hash) gets the first command id back with {@code replay = true}.
     */
    public Future<Claim> claim(Optional<String> headerKey, CommandRequest request) {
        String hash = requestHash(request);
        ObjectNode entry = JSON.createObjectNode();
        entry.put("schemaVersion", 1);
        entry.put("commandId", request.commandId());
        entry.put("commandType", request.commandType());
        entry.put("resourceKind", request.type().kind().name());
        entry.put("resourceName", request.resourceName());
        entry.put("requestHash", hash);
        entry.put("createdAt", clock.instant().toString());
        String value = entry.toString();
        String commandKey = keys.idempotencyKey(commandEntry(request.commandId()));
        Optional<String> headerEtcdKey = headerKey.map(k -> keys.idempotencyKey(headerEntry(k)));
        return lease().compose(leaseId -> {
            PutOption put = PutOption.builder().withLeaseId(leaseId).build();
            List<Cmp> absent = new ArrayList<>();
            List<Op> puts = new ArrayList<>();
            List<Op> gets = new ArrayList<>();
            for (String k : headerEtcdKey.map(h -> List.of(h, commandKey)).orElse(List.of(commandKey))) {
                absent.add(new Cmp(Etcd.bytes(k), Cmp.Op.EQUAL, CmpTarget.version(0)));
                puts.add(Op.put(Etcd.bytes(k), Etcd.bytes(value), put));
                gets.add(Op.get(Etcd.bytes(k), GetOption.DEFAULT));
            }
            return etcd.call("idempotency txn", () -> etcd.client().getKVClient().txn()
                    .If(absent.toArray(Cmp[]::new)).Then(puts.toArray(Op[]::new)).Else(gets.toArray(Op[]::new))
                    .commit());
        }).map(txn -> decide(txn, request, hash, headerKey.isPresent()));
    }

    private Claim decide(TxnResponse txn, CommandRequest request, String hash, boolean withHeader) {
        if (txn.isSucceeded()) {
            return new Claim(request.commandId(), false);
        }
        List<Optional<JsonNode>> found = txn.getGetResponses().stream()
                .map(r -> r.getKvs().isEmpty() ? Optional.<JsonNode>empty() : Optional.of(parse(r.getKvs().get(0))))
                .toList();
        // The header's entry (first when present) decides; else the command id's entry.
        Optional<JsonNode> first = found.get(0);
        String field = withHeader ? "Idempotency-Key" : "commandId";
        if (first.isEmpty() && withHeader) {
            // The header key is new but the client's command id was already used.
            first = found.get(1);
            field = "commandId";
        }
        JsonNode existing = first.orElseThrow(() -> new IllegalStateException("txn failed but no entry exists"));
        if (!hash.equals(existing.path("requestHash").asText())) {
            throw new KeyReusedException(field, "was already used for a different request (command "
                    + existing.path("commandId").asText() + ", " + existing.path("commandType").asText() + " "
                    + existing.path("resourceName").asText() + ")");
        }
        return new Claim(existing.path("commandId").asText(), true);
    }

    /** Whether the gateway accepted this command id (its entry is still within the TTL). */
    public Future<Boolean> known(String commandId) {
        return etcd.get(keys.idempotencyKey(commandEntry(commandId))).map(Optional::isPresent);
    }

    private static JsonNode parse(KeyValue kv) {
        try {
            return JSON.readTree(kv.getValue().getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One lease shared by all entries written within an hour; each entry lives between TTL and TTL + 1 h. */
    private synchronized Future<Long> lease() {
        Instant now = clock.instant();
        if (lease == null || now.isAfter(leaseRenewAt) || lease.failed()) {
            leaseRenewAt = now.plus(LEASE_SLICE);
            long seconds = ttl.plus(LEASE_SLICE).toSeconds();
            lease = etcd.call("lease grant", () -> etcd.client().getLeaseClient().grant(seconds))
                    .map(r -> r.getID());
        }
        return lease;
    }
}
