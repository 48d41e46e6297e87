package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Strict parameter decoding in the manner of spdk_json_decode_object: unknown members, wrong types and missing
 * required members all fail, and each SPDK module answers that failure with its own code and message.
 */
final class Params {
    private final ObjectNode node;
    private final RpcError decodeError;

    private Params(ObjectNode node, RpcError decodeError) {
        this.node = node;
        this.decodeError = decodeError;
    }

    /** bdev modules: -32603 "spdk_json_decode_object failed". */
    static Params bdev(JsonNode params, String... allowed) throws RpcError {
        return of(params, RpcError.decodeFailed(), allowed);
    }

    /** nvmf: -32602 "Invalid parameters". */
    static Params nvmf(JsonNode params, String... allowed) throws RpcError {
        return of(params, RpcError.invalidParams(), allowed);
    }

    /** raid: -32700 "spdk_json_decode_object failed" (recorded on v23.09). */
    static Params raid(JsonNode params, String... allowed) throws RpcError {
        return of(params, new RpcError(RpcError.PARSE_ERROR, "spdk_json_decode_object failed"), allowed);
    }

    static Params of(JsonNode params, RpcError decodeError, String... allowed) throws RpcError {
        if (params == null || params.isNull() || params.isMissingNode()) {
            return new Params(Json.MAPPER.createObjectNode(), decodeError);
        }
        if (!params.isObject()) {
            throw decodeError;
        }
        Set<String> names = Set.of(allowed);
        Iterator<String> it = params.fieldNames();
        while (it.hasNext()) {
            if (!names.contains(it.next())) {
                throw decodeError;
            }
        }
        return new Params((ObjectNode) params, decodeError);
    }

    /** True when the request carried no params member at all. */
    boolean isEmpty() {
        return node.isEmpty();
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    String requiredString(String name) throws RpcError {
        return optionalString(name).orElseThrow(() -> decodeError);
    }

    Optional<String> optionalString(String name) throws RpcError {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw decodeError;
        }
        return Optional.of(v.asText());
    }

    long requiredLong(String name) throws RpcError {
        return optionalLong(name).orElseThrow(() -> decodeError);
    }

    Optional<Long> optionalLong(String name) throws RpcError {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || v.asLong() < 0) {
            throw decodeError;
        }
        return Optional.of(v.asLong());
    }

    long optionalLong(String name, long dflt) throws RpcError {
        return optionalLong(name).orElse(dflt);
    }

    boolean optionalBool(String name, boolean dflt) throws RpcError {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw decodeError;
        }
        return v.asBoolean();
    }

    ObjectNode requiredObject(String name) throws RpcError {
        JsonNode v = node.get(name);
        if (v == null || !v.isObject()) {
            throw decodeError;
        }
        return (ObjectNode) v;
    }

    List<String> requiredStrings(String name) throws RpcError {
        JsonNode v = node.get(name);
        if (v == null || !v.isArray()) {
            throw decodeError;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw decodeError;
            }
            out.add(e.asText());
        }
        return out;
    }

    RpcError decodeError() {
        return decodeError;
    }
}
