package io.vda.allocator.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Controller nodes that may take a new controller, least loaded first (load = controllers hosted, primary or
 * secondary), then by name. Only eligible nodes are in the index: online and not failed. O(log n) per change,
 * O(k log n) to pick k.
 */
public final class ControllerIndex {

    private record Slot(String cnName, int load) {
    }

    private static final Comparator<Slot> ORDER = Comparator.comparingInt(Slot::load).thenComparing(Slot::cnName);

    private final TreeSet<Slot> slots = new TreeSet<>(ORDER);
    private final Map<String, Slot> byName = new HashMap<>();

    public void put(String cnName, int load) {
        Slot old = byName.put(cnName, new Slot(cnName, load));
        if (old != null) {
            slots.remove(old);
        }
        slots.add(byName.get(cnName));
    }

    public void remove(String cnName) {
        Slot old = byName.remove(cnName);
        if (old != null) {
            slots.remove(old);
        }
    }

    public boolean contains(String cnName) {
        return byName.containsKey(cnName);
    }

    public int size() {
        return byName.size();
    }

    /** Up to {@code count} distinct controller nodes, least loaded first. */
    public List<String> choose(int count) {
        List<String> chosen = new ArrayList<>(count);
        Iterator<Slot> it = slots.iterator();
        while (it.hasNext() && chosen.size() < count) {
            chosen.add(it.next().cnName());
        }
        return chosen;
    }
}
