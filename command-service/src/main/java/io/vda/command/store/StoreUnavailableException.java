package io.vda.command.store;

/** etcd did not answer in time or refused the call: retriable, answered 503. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
