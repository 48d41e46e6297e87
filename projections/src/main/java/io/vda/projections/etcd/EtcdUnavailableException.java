package io.vda.projections.etcd;

/** etcd did not answer or refused a request: the projection stops and restarts from etcd's positions. */
public final class EtcdUnavailableException extends RuntimeException {
    public EtcdUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
