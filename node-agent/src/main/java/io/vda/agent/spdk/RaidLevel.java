package io.vda.agent.spdk;

/** bdev_raid_create levels the project uses. */
public enum RaidLevel {
    RAID0("raid0"), RAID1("raid1"), CONCAT("concat");

    private final String wire;

    RaidLevel(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
