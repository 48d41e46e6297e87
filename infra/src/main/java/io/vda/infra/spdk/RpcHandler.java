package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;

/** One JSON-RPC method: params in, result out, or an SPDK error. Runs under the target's lock. */
@FunctionalInterface
interface RpcHandler {
    JsonNode handle(JsonNode params) throws RpcError;
}
