package io.vda.projections.etcd;

/** Fatal: another projection process holds the owner key, so this one must stop writing (and exit). */
public final class OwnershipLostException extends RuntimeException {
    public OwnershipLostException(String message) {
        super(message);
    }
}
