package io.vda.agent.spdk;

/** Anything that went wrong talking to SPDK. */
public abstract class SpdkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected SpdkException(String message) {
        super(message);
    }

    protected SpdkException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same call may succeed later without anything else changing. */
    public abstract boolean retriable();
}
