package io.vda.agent.spdk;

import java.util.List;

/** One entry of bdev_raid_get_bdevs; a member not (yet) present is null in baseBdevsList. */
public record RaidBdev(String name, long stripSizeKb, String state, String raidLevel, int numBaseBdevs,
        int numBaseBdevsDiscovered, List<String> baseBdevsList) {

    public boolean online() {
        return "online".equals(state);
    }
}
