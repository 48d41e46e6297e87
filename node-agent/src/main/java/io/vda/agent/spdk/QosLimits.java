package io.vda.agent.spdk;

/** A bdev's rate limits as bdev_set_qos_limit takes them and bdev_get_bdevs shows them; 0 means unlimited. */
public record QosLimits(long rwIosPerSec, long rwMbytesPerSec, long rMbytesPerSec, long wMbytesPerSec) {
    public static final QosLimits UNLIMITED = new QosLimits(0, 0, 0, 0);
}
