package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/** Routes a method to its handler: faults first (outside the lock), then the handler under the target lock. */
final class RpcDispatcher {
    static final String EMULATOR_PREFIX = "vda_emulator_";

    private final Map<String, RpcHandler> handlers = new HashMap<>();
    private final TargetState state;
    private final FaultInjector faults;
    private final CallLog callLog;

    RpcDispatcher(TargetState state, FaultInjector faults, CallLog callLog) {
        this.state = state;
        this.faults = faults;
        this.callLog = callLog;
    }

    Map<String, RpcHandler> handlers() {
        return handlers;
    }

    JsonNode dispatch(String method, JsonNode params) throws RpcError {
        boolean extension = method.startsWith(EMULATOR_PREFIX);
        try {
            RpcHandler h = handlers.get(method);
            if (h == null) {
                throw new RpcError(RpcError.METHOD_NOT_FOUND, "Method not found");
            }
            if (!extension) {
                faults.apply(method);
            }
            JsonNode result;
            state.lock.lock();
            try {
                result = h.handle(params);
            } finally {
                state.lock.unlock();
            }
            if (!extension) {
                callLog.record(method, params, null);
            }
            return result;
        } catch (RpcError e) {
            if (!extension) {
                callLog.record(method, params, e.code());
            }
            throw e;
        }
    }
}
