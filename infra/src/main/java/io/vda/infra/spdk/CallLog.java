package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Emulator-only: every SPDK method called, in order, with its params and outcome. */
final class CallLog {
    private final List<ObjectNode> entries = new ArrayList<>();
    private long seq;

    synchronized void record(String method, JsonNode params, Integer errorCode) {
        ObjectNode e = Json.object();
        e.put("seq", ++seq);
        e.put("method", method);
        e.set("params", params == null ? null : params.deepCopy());
        if (errorCode == null) {
            e.putNull("error_code");
        } else {
            e.put("error_code", errorCode);
        }
        entries.add(e);
    }

    synchronized ArrayNode since(long afterSeq) {
        ArrayNode out = Json.array();
        for (ObjectNode e : entries) {
            if (e.get("seq").asLong() > afterSeq) {
                out.add(e.deepCopy());
            }
        }
        return out;
    }

    synchronized void clear() {
        entries.clear();
    }
}
