package io.vda.allocator.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The physical disks that may take a new virtual disk, ordered so that a placement decision costs
 * O(stripCnt × (locations + log n)) and never scans the disks.
 *
 * <p>Three levels of sorted sets, each ordered by free bytes (most free first, then by name for determinism):
 * the disks of one disk node; the disk nodes of one location, by their emptiest disk; the locations, by their
 * emptiest disk node. Only eligible disks are in the index: disk online, its node online, not failed and below its
 * export limit. Changing one disk's free bytes re-sorts one entry per level: O(log n).
 *
 * <p>Policy: for each virtual disk in turn, take the location that holds the fewest virtual disks of this array so
 * far (spread over failure domains), and in it the disk node with the emptiest disk that this array does not use
 * yet (never two virtual disks of an array on one node); among equally used locations, the emptiest wins.
 * "Emptiest" is absolute free bytes, so load evens out in bytes.
 */
public final class PlacementIndex {

    /** A disk in the index. */
    record DiskSlot(String dnName, String pdName, long freeBytes) {
    }

    private record NodeSlot(String dnName, long bestFree) {
    }

    private record LocationSlot(String location, long bestFree) {
    }

    /** Where one virtual disk goes. */
    public record Choice(String dnName, String pdName, String location) {
    }

    private static final Comparator<DiskSlot> DISK_ORDER = Comparator.comparingLong(DiskSlot::freeBytes).reversed()
            .thenComparing(DiskSlot::pdName);
    private static final Comparator<NodeSlot> NODE_ORDER = Comparator.comparingLong(NodeSlot::bestFree).reversed()
            .thenComparing(NodeSlot::dnName);
    private static final Comparator<LocationSlot> LOCATION_ORDER = Comparator
            .comparingLong(LocationSlot::bestFree).reversed().thenComparing(LocationSlot::location);

    private final Map<String, TreeSet<DiskSlot>> disksByNode = new HashMap<>();
    private final Map<String, DiskSlot> diskSlots = new HashMap<>();
    private final Map<String, String> locationOfNode = new HashMap<>();
    private final Map<String, NodeSlot> nodeSlots = new HashMap<>();
    private final Map<String, TreeSet<NodeSlot>> nodesByLocation = new HashMap<>();
    private final Map<String, LocationSlot> locationSlots = new HashMap<>();
    private final TreeSet<LocationSlot> locations = new TreeSet<>(LOCATION_ORDER);

    /** Adds a disk or updates its free bytes. */
    public void put(String dnName, String location, String pdName, long freeBytes) {
        String key = dnName + "/" + pdName;
        DiskSlot old = diskSlots.get(key);
        TreeSet<DiskSlot> disks = disksByNode.computeIfAbsent(dnName, n -> new TreeSet<>(DISK_ORDER));
        if (old != null) {
            disks.remove(old);
        }
        DiskSlot slot = new DiskSlot(dnName, pdName, freeBytes);
        disks.add(slot);
        diskSlots.put(key, slot);
        locationOfNode.put(dnName, location);
        refreshNode(dnName);
    }

    public void remove(String dnName, String pdName) {
        DiskSlot old = diskSlots.remove(dnName + "/" + pdName);
        if (old == null) {
            return;
        }
        TreeSet<DiskSlot> disks = disksByNode.get(dnName);
        disks.remove(old);
        refreshNode(dnName);
        if (disks.isEmpty()) {
            disksByNode.remove(dnName);
            locationOfNode.remove(dnName);
        }
    }

    public boolean contains(String dnName, String pdName) {
        return diskSlots.containsKey(dnName + "/" + pdName);
    }

    public int size() {
        return diskSlots.size();
    }

    private void refreshNode(String dnName) {
        String location = locationOfNode.get(dnName);
        TreeSet<NodeSlot> nodes = nodesByLocation.computeIfAbsent(location, l -> new TreeSet<>(NODE_ORDER));
        NodeSlot old = nodeSlots.remove(dnName);
        if (old != null) {
            nodes.remove(old);
        }
        TreeSet<DiskSlot> disks = disksByNode.get(dnName);
        if (disks != null && !disks.isEmpty()) {
            NodeSlot slot = new NodeSlot(dnName, disks.first().freeBytes());
            nodes.add(slot);
            nodeSlots.put(dnName, slot);
        }
        refreshLocation(location);
    }

    private void refreshLocation(String location) {
        LocationSlot old = locationSlots.remove(location);
        if (old != null) {
            locations.remove(old);
        }
        TreeSet<NodeSlot> nodes = nodesByLocation.get(location);
        if (nodes != null && !nodes.isEmpty()) {
            LocationSlot slot = new LocationSlot(location, nodes.first().bestFree());
            locations.add(slot);
            locationSlots.put(location, slot);
        } else {
            nodesByLocation.remove(location);
        }
    }

    /**
     * Chooses disks for {@code count} virtual disks of {@code bytes} each, on distinct disk nodes. Returns as many
     * as fit (fewer than {@code count} means the array cannot be placed); the index itself is not changed.
     */
    public List<Choice> choose(int count, long bytes) {
        List<Choice> chosen = new ArrayList<>(count);
        Set<String> usedNodes = new HashSet<>();
        Map<String, Integer> perLocation = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Optional<Choice> next = chooseOne(bytes, usedNodes, perLocation);
            if (next.isEmpty()) {
                break;
            }
            Choice choice = next.get();
            chosen.add(choice);
            usedNodes.add(choice.dnName());
            perLocation.merge(choice.location(), 1, Integer::sum);
        }
        return chosen;
    }

    private Optional<Choice> chooseOne(long bytes, Set<String> usedNodes, Map<String, Integer> perLocation) {
        NodeSlot best = null;
        String bestLocation = null;
        int bestUse = Integer.MAX_VALUE;
        for (LocationSlot location : locations) {
            if (location.bestFree() < bytes) {
                break; // sorted by free bytes: no later location has a disk that fits
            }
            int use = perLocation.getOrDefault(location.location(), 0);
            if (best != null && bestUse == 0 && best.bestFree() >= location.bestFree()) {
                break; // nothing later can beat an unused location with more free bytes
            }
            if (use > bestUse) {
                continue;
            }
            NodeSlot candidate = firstUnused(nodesByLocation.get(location.location()), usedNodes);
            if (candidate == null || candidate.bestFree() < bytes) {
                continue;
            }
            if (best == null || use < bestUse || NODE_ORDER.compare(candidate, best) < 0) {
                best = candidate;
                bestLocation = location.location();
                bestUse = use;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        DiskSlot disk = disksByNode.get(best.dnName()).first();
        return Optional.of(new Choice(disk.dnName(), disk.pdName(), bestLocation));
    }

    /** The emptiest node not used yet; skips at most as many nodes as the array already uses. */
    private static NodeSlot firstUnused(TreeSet<NodeSlot> nodes, Set<String> usedNodes) {
        Iterator<NodeSlot> it = nodes.iterator();
        while (it.hasNext()) {
            NodeSlot node = it.next();
            if (!usedNodes.contains(node.dnName())) {
                return node;
            }
        }
        return null;
    }
}
