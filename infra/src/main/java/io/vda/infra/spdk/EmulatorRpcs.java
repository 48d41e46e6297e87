package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Emulator-only methods (prefix {@code vda_emulator_}); real SPDK answers them with -32601. They are not listed
 * by rpc_get_methods and never appear in the call log.
 */
final class EmulatorRpcs {
    private final TargetState t;
    private final FaultInjector faults;
    private final CallLog callLog;
    private final String socketPath;

    EmulatorRpcs(TargetState state, FaultInjector faults, CallLog callLog, String socketPath) {
        this.t = state;
        this.faults = faults;
        this.callLog = callLog;
        this.socketPath = socketPath;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("vda_emulator_inject_fault", this::injectFault);
        m.put("vda_emulator_clear_faults", p -> {
            faults.clear();
            return Json.ok();
        });
        m.put("vda_emulator_get_call_log", this::getCallLog);
        m.put("vda_emulator_clear_call_log", p -> {
            callLog.clear();
            return Json.ok();
        });
        m.put("vda_emulator_record_io", this::recordIo);
        m.put("vda_emulator_get_info", p -> {
            ObjectNode o = Json.object();
            o.put("socket", socketPath);
            o.put("nvmf_addr", t.nvmfAddress);
            o.put("pid", ProcessHandle.current().pid());
            return o;
        });
    }

    private JsonNode injectFault(JsonNode params) throws RpcError {
        Params p = Params.of(params, RpcError.invalidParams(), "method", "code", "message", "hang_ms", "hang",
                "count");
        String method = p.requiredString("method");
        JsonNode code = params.get("code");
        int c = code == null ? 0 : code.asInt();
        String message = p.optionalString("message").orElse(c == 0 ? "" : RpcError.strerror(-c));
        long hangMs = p.optionalLong("hang_ms", 0);
        boolean hang = p.optionalBool("hang", false);
        long count = p.optionalLong("count", 0);
        if (c == 0 && hangMs == 0 && !hang) {
            throw RpcError.invalidParams();
        }
        faults.inject(method, new FaultInjector.Fault(c, message, hangMs, hang, count == 0 ? -1 : (int) count));
        return Json.ok();
    }

    private JsonNode getCallLog(JsonNode params) throws RpcError {
        Params p = Params.of(params, RpcError.invalidParams(), "since_seq");
        return callLog.since(p.optionalLong("since_seq", 0));
    }

    private JsonNode recordIo(JsonNode params) throws RpcError {
        Params p = Params.of(params, RpcError.invalidParams(), "name", "read_ops", "bytes_read", "write_ops",
                "bytes_written", "unmap_ops", "bytes_unmapped");
        Bdev b = t.findBdev(p.requiredString("name"));
        if (b == null) {
            throw RpcError.errno(19);
        }
        b.ioStat.readOps += p.optionalLong("read_ops", 0);
        b.ioStat.bytesRead += p.optionalLong("bytes_read", 0);
        b.ioStat.writeOps += p.optionalLong("write_ops", 0);
        b.ioStat.bytesWritten += p.optionalLong("bytes_written", 0);
        b.ioStat.unmapOps += p.optionalLong("unmap_ops", 0);
        b.ioStat.bytesUnmapped += p.optionalLong("bytes_unmapped", 0);
        return Json.ok();
    }
}
