package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** An NVMe-oF subsystem: identity, host allowlist, namespaces, listeners and connected controllers. */
final class Subsystem {
    final String nqn;
    final String serialNumber;
    final String modelNumber;
    boolean allowAnyHost;
    final Set<String> hosts = new LinkedHashSet<>();
    final TreeMap<Integer, Namespace> namespaces = new TreeMap<>();
    final List<ListenAddress> listeners = new ArrayList<>();
    final Map<ListenAddress, String> anaStates = new LinkedHashMap<>();
    final int maxNamespaces;
    final int minCntlid;
    final int maxCntlid;
    final boolean anaReporting;
    final List<PeerServer.Session> controllers = new ArrayList<>();
    int nextCntlid;

    Subsystem(String nqn, String serialNumber, String modelNumber, boolean allowAnyHost, int maxNamespaces,
            int minCntlid, int maxCntlid, boolean anaReporting) {
        this.nqn = nqn;
        this.serialNumber = serialNumber;
        this.modelNumber = modelNumber;
        this.allowAnyHost = allowAnyHost;
        this.maxNamespaces = maxNamespaces;
        this.minCntlid = minCntlid;
        this.maxCntlid = maxCntlid;
        this.anaReporting = anaReporting;
        this.nextCntlid = minCntlid;
    }

    boolean allows(String hostNqn) {
        return allowAnyHost || hosts.contains(hostNqn);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("nqn", nqn);
        o.put("subtype", "NVMe");
        var la = o.putArray("listen_addresses");
        for (ListenAddress l : listeners) {
            ObjectNode a = la.addObject();
            a.put("transport", l.trtype());
            a.setAll(l.toJson());
        }
        o.put("allow_any_host", allowAnyHost);
        var h = o.putArray("hosts");
        hosts.forEach(n -> h.addObject().put("nqn", n));
        o.put("serial_number", serialNumber);
        o.put("model_number", modelNumber);
        o.put("max_namespaces", maxNamespaces);
        o.put("min_cntlid", minCntlid);
        o.put("max_cntlid", maxCntlid);
        var ns = o.putArray("namespaces");
        namespaces.values().forEach(n -> ns.add(n.toJson()));
        return o;
    }

    static ObjectNode discoveryJson() {
        ObjectNode o = Json.object();
        o.put("nqn", "nqn.2014-08.org.nvmexpress.discovery");
        o.put("subtype", "Discovery");
        o.putArray("listen_addresses");
        o.put("allow_any_host", true);
        o.putArray("hosts");
        return o;
    }

    /** One namespace; uuid and NGUID default to the bdev's uuid. */
    record Namespace(int nsid, Bdev bdev, String nguid, String uuid, String eui64, int anagrpid) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("nsid", nsid);
            o.put("bdev_name", bdev.name);
            o.put("name", bdev.name);
            o.put("nguid", nguid);
            if (eui64 != null) {
                o.put("eui64", eui64);
            }
            o.put("uuid", uuid);
            return o;
        }
    }
}
