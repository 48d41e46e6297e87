package io.vda.agent.spdk;

/** What an SPDK error means for the agent, whatever code and message SPDK chose for it. */
public enum SpdkErrorReason {
    /** The object is already there: creating it again is a no-op for an idempotent agent. */
    ALREADY_EXISTS(false),
    /** The object is not there: deleting it again is a no-op. */
    NOT_FOUND(false),
    INVALID_PARAMS(false),
    NO_SPACE(false),
    /** E.g. the bdev is claimed by an lvstore, raid or subsystem. */
    NOT_PERMITTED(false),
    /** bdev_nvme_attach_controller: nothing answers at that address (yet). */
    UNREACHABLE(true),
    /** bdev_nvme_attach_controller: subsystem unknown there, or this host not (yet) on its allowlist. */
    REJECTED(true),
    METHOD_NOT_FOUND(false),
    INTERNAL(false);

    private final boolean retriable;

    SpdkErrorReason(boolean retriable) {
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
