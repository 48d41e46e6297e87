package io.vda.agent.spdk;

/** One entry of bdev_lvol_get_lvols. */
public record Lvol(String alias, String uuid, String name, boolean isThinProvisioned, boolean isSnapshot,
        boolean isClone, boolean isEsnapClone, boolean isDegraded, LvstoreRef lvs) {

    public record LvstoreRef(String name, String uuid) {
    }
}
