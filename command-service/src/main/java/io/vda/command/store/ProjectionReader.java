package io.vda.command.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.vda.command.request.InvalidRequestException;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads the documents the projections keep in etcd: one by key, or a page of a prefix in key order. The continuation
 * token is the last key of the page (relative to the prefix, base64url), so the next page is the etcd range that
 * starts just after it: no server-side cursor, and pages stay consistent with inserts and deletes.
 */
public final class ProjectionReader {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Etcd etcd;

    public ProjectionReader(Etcd etcd) {
        this.etcd = etcd;
    }

    public record Page(List<JsonNode> items, Optional<String> continueToken) {
    }

    /** A document that is not JSON (a projection bug) is reported, not hidden. */
    public static final class CorruptDocumentException extends RuntimeException {
        public CorruptDocumentException(String key, Throwable cause) {
            super("etcd document " + key + " is not valid JSON: " + cause.getMessage(), cause);
        }
    }

    public Future<Optional<JsonNode>> get(String key) {
        return etcd.get(key).map(kv -> kv.map(ProjectionReader::parse));
    }

    public Future<Page> list(String prefix, int limit, Optional<String> continueToken) {
        String from = continueToken.map(t -> prefix + decode(t) + "\0").orElse(prefix);
        return etcd.range(from, prefixEnd(prefix), limit).map(response -> {
            List<JsonNode> items = new ArrayList<>();
            String lastKey = null;
            for (KeyValue kv : response.getKvs()) {
                items.add(parse(kv));
                lastKey = Etcd.string(kv.getKey());
            }
            Optional<String> next = response.isMore() && lastKey != null
                    ? Optional.of(encode(lastKey.substring(prefix.length()))) : Optional.empty();
            return new Page(items, next);
        });
    }

    static JsonNode parse(KeyValue kv) {
        try {
            return JSON.readTree(kv.getValue().getBytes());
        } catch (IOException e) {
            throw new CorruptDocumentException(Etcd.string(kv.getKey()), e);
        }
    }

    static String encode(String relativeKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(relativeKey.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String token) {
        try {
            String key = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (key.isEmpty() || key.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("empty");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.of("continue", "is not a continuation token this API gave out");
        }
    }

    /** The smallest key greater than every key with this prefix. */
    static ByteSequence prefixEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end = Arrays.copyOf(end, end.length);
        end[end.length - 1]++;
        return ByteSequence.from(end);
    }
}
