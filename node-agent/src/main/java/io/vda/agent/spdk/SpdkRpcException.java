package io.vda.agent.spdk;

/** An error answer from SPDK: its JSON-RPC code and message, and what it means. */
public class SpdkRpcException extends SpdkException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final int code;
    private final String spdkMessage;
    private final SpdkErrorReason reason;

    public SpdkRpcException(String method, int code, String spdkMessage, SpdkErrorReason reason) {
        super(method + " failed: " + code + " " + spdkMessage.strip() + " (" + reason + ")");
        this.method = method;
        this.code = code;
        this.spdkMessage = spdkMessage;
        this.reason = reason;
    }

    public String method() {
        return method;
    }

    public int code() {
        return code;
    }

    public String spdkMessage() {
        return spdkMessage;
    }

    public SpdkErrorReason reason() {
        return reason;
    }

    public boolean isAlreadyExists() {
        return reason == SpdkErrorReason.ALREADY_EXISTS;
    }

    public boolean isNotFound() {
        return reason == SpdkErrorReason.NOT_FOUND;
    }

    @Override
    public boolean retriable() {
        return reason.retriable();
    }

    SpdkRpcException withReason(SpdkErrorReason r) {
        return new SpdkRpcException(method, code, spdkMessage, r);
    }
}
