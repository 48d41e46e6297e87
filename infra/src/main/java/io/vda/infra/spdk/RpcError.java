package io.vda.infra.spdk;

import java.util.Map;

/** An error answer exactly as SPDK v23.09 sends it: a JSON-RPC code and message. */
final class RpcError extends Exception {
    private static final long serialVersionUID = 1L;

    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    static final int PARSE_ERROR = -32700;

    // strerror() texts of the errnos SPDK returns (glibc wording).
    private static final Map<Integer, String> STRERROR = Map.ofEntries(
            Map.entry(1, "Operation not permitted"),
            Map.entry(2, "No such file or directory"),
            Map.entry(5, "Input/output error"),
            Map.entry(12, "Cannot allocate memory"),
            Map.entry(16, "Device or resource busy"),
            Map.entry(17, "File exists"),
            Map.entry(19, "No such device"),
            Map.entry(22, "Invalid argument"),
            Map.entry(28, "No space left on device"),
            Map.entry(61, "No data available"),
            Map.entry(111, "Connection refused"),
            Map.entry(114, "Operation already in progress"));

    private final int code;

    RpcError(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    int code() {
        return code;
    }

    static String strerror(int errno) {
        return STRERROR.getOrDefault(errno, "Unknown error " + errno);
    }

    /** SPDK's common "-errno, strerror(errno)" answer. */
    static RpcError errno(int errno) {
        return new RpcError(-errno, strerror(errno));
    }

    /** An errno reported through a JSON-RPC code, as SPDK's asynchronous callbacks often do. */
    static RpcError withCode(int code, int errno) {
        return new RpcError(code, strerror(errno));
    }

    static RpcError invalidParams() {
        return new RpcError(INVALID_PARAMS, "Invalid parameters");
    }

    static RpcError internal() {
        return new RpcError(INTERNAL_ERROR, "Internal error");
    }

    static RpcError decodeFailed() {
        return new RpcError(INTERNAL_ERROR, "spdk_json_decode_object failed");
    }
}
