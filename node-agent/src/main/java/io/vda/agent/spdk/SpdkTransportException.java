package io.vda.agent.spdk;

/** The socket is missing or went away, or SPDK did not answer in time. Always worth retrying. */
public class SpdkTransportException extends SpdkException {
    private static final long serialVersionUID = 1L;

    public SpdkTransportException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
