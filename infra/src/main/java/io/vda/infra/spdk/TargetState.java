package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one emulated SPDK target holds, and the bdev layer's cross-cutting rules: registration with
 * examine (raid slots, lvstores found on disk) and hot-remove cascading to dependants, as SPDK does it.
 * All access happens under {@link #lock}, as SPDK runs its RPCs on one thread.
 */
final class TargetState implements PeerServer.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(TargetState.class);

    final ReentrantLock lock = new ReentrantLock();
    final String nvmfAddress;
    final boolean autoExamine;
    final String hostId = UUID.randomUUID().toString();
    final Map<String, Bdev> bdevs = new LinkedHashMap<>();
    final Map<String, Lvstore> lvstores = new LinkedHashMap<>();
    final Map<String, Raid> raids = new LinkedHashMap<>();
    final Map<String, NvmeController> controllers = new LinkedHashMap<>();
    final Map<String, Subsystem> subsystems = new LinkedHashMap<>();
    final Map<String, ObjectNode> transports = new LinkedHashMap<>();
    final Map<String, PeerServer> listeners = new LinkedHashMap<>();
    int maxSubsystems = 1024;
    boolean nvmeUsed;

    TargetState(String nvmfAddress, boolean autoExamine) {
        this.nvmfAddress = nvmfAddress;
        this.autoExamine = autoExamine;
    }

    static String newUuid() {
        return UUID.randomUUID().toString();
    }

    Bdev findBdev(String nameOrAlias) {
        Bdev b = bdevs.get(nameOrAlias);
        if (b != null) {
            return b;
        }
        for (Bdev x : bdevs.values()) {
            if (x.answersTo(nameOrAlias)) {
                return x;
            }
        }
        return null;
    }

    boolean nameTaken(String name) {
        return findBdev(name) != null;
    }

    Lvstore findLvstore(String uuid, String name) {
        for (Lvstore l : lvstores.values()) {
            if ((uuid != null && l.uuid.equals(uuid)) || (name != null && l.name.equals(name))) {
                return l;
            }
        }
        return null;
    }

    /** Registers a bdev, then lets raid and lvol "examine" it, as bdev_auto_examine does. */
    void register(Bdev bdev) {
        bdevs.put(bdev.name, bdev);
        for (Raid raid : raids.values()) {
            for (int i = 0; i < raid.slotNames.size(); i++) {
                if (raid.members[i] == null && bdev.answersTo(raid.slotNames.get(i))
                        && bdev.claim == Bdev.Claim.NONE && !"offline".equals(raid.state)) {
                    bdev.claim(Bdev.Claim.EXCLUSIVE_WRITE, raid);
                    raid.members[i] = bdev;
                    if (raid.complete()) {
                        bringOnline(raid);
                    }
                    return;
                }
            }
        }
        if (autoExamine) {
            examineLvstore(bdev);
        }
    }

    void bringOnline(Raid raid) {
        Bdev first = raid.members[0];
        boolean domains = false;
        for (Bdev m : raid.members) {
            domains |= m.memoryDomains;
        }
        Bdev rb = new Bdev(raid.name, raid.uuid, Bdev.Kind.RAID, "Raid Volume", first.blockSize, 0, domains,
                raid.area());
        rb.numBlocks = raid.numBlocks();
        rb.aliases.add(raid.uuid);
        rb.driverSpecific = () -> {
            ObjectNode r = raid.toJson();
            r.remove("name");
            return Json.object().set("raid", r);
        };
        raid.bdev = rb;
        raid.state = "online";
        register(rb);
    }

    /** Finds an lvstore in the bdev's first blocks and loads it with its lvols. */
    void examineLvstore(Bdev bdev) {
        if (bdev.claim != Bdev.Claim.NONE) {
            return;
        }
        JsonNode record;
        try {
            record = bdev.metadata.read();
        } catch (IOException e) {
            LOG.warn("examine of {} could not read its metadata: {}", bdev.name, e.toString());
            return;
        }
        if (!Lvstore.isRecord(record)) {
            return;
        }
        Lvstore lvs = Lvstore.fromRecord(record, bdev);
        if (lvstores.containsKey(lvs.uuid) || findLvstore(null, lvs.name) != null) {
            LOG.warn("examine of {}: lvstore {} ({}) already loaded, not loading it again", bdev.name, lvs.name,
                    lvs.uuid);
            return;
        }
        bdev.claim(Bdev.Claim.READ_MANY_WRITE_ONE, lvs);
        lvstores.put(lvs.uuid, lvs);
        LOG.info("examine of {} found lvstore {} ({}) with {} lvols", bdev.name, lvs.name, lvs.uuid,
                lvs.lvols.size());
        for (Lvol l : lvs.lvols.values()) {
            registerLvol(l);
        }
    }

    void registerLvol(Lvol lvol) {
        Lvstore lvs = lvol.lvstore;
        Bdev b = new Bdev(lvol.uuid, lvol.uuid, Bdev.Kind.LVOL, "Logical Volume", lvs.blockSize(),
                lvol.sizeBytes / lvs.blockSize(), lvs.base.memoryDomains, lvol.area());
        b.aliases.add(lvol.alias());
        b.driverSpecific = lvol::driverSpecific;
        lvol.bdev = b;
        register(b);
    }

    /** Hot-remove: the bdev goes and takes whatever sits on it (lvstore, raid, namespaces) with it. */
    void unregister(Bdev bdev) {
        if (bdevs.remove(bdev.name) == null) {
            return;
        }
        Object owner = bdev.claimedBy;
        bdev.release();
        if (owner instanceof Lvstore lvs) {
            unload(lvs);
        } else if (owner instanceof Raid raid) {
            for (int i = 0; i < raid.members.length; i++) {
                if (raid.members[i] == bdev) {
                    raid.members[i] = null;
                }
            }
            if (raid.bdev != null) {
                Bdev rb = raid.bdev;
                raid.bdev = null;
                raid.state = "offline";
                unregister(rb);
            }
        } else if (owner instanceof Subsystem sub) {
            sub.namespaces.values().removeIf(ns -> ns.bdev() == bdev);
        }
    }

    /** Drops an lvstore from memory, leaving its metadata where it is (hot-remove of the base). */
    void unload(Lvstore lvs) {
        lvstores.remove(lvs.uuid);
        for (Lvol l : new ArrayList<>(lvs.lvols.values())) {
            if (l.bdev != null) {
                unregister(l.bdev);
            }
        }
        if (lvs.base.claimedBy == lvs) {
            lvs.base.release();
        }
    }

    /** Stops everything that holds a thread or a socket. */
    void shutdown() {
        listeners.values().forEach(PeerServer::close);
        listeners.clear();
        controllers.values().forEach(c -> c.peer.close());
        controllers.clear();
    }

    // ---- the target side of the fabric: other emulators connect here ----

    @Override
    public ObjectNode handle(PeerServer.Session session, ObjectNode request) {
        try {
            if (!lock.tryLock(10, TimeUnit.SECONDS)) {
                return Json.object().put("error", "target busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Json.object().put("error", "interrupted");
        }
        try {
            return switch (request.path("op").asText()) {
                case "connect" -> connect(session, request);
                case "read_meta" -> readMeta(session, request);
                case "write_meta" -> writeMeta(session, request);
                default -> Json.object().put("error", "unknown op");
            };
        } catch (IOException e) {
            return Json.object().put("error", "io: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void closed(PeerServer.Session session) {
        lock.lock();
        try {
            Subsystem sub = session.subnqn == null ? null : subsystems.get(session.subnqn);
            if (sub != null) {
                sub.controllers.remove(session);
            }
        } finally {
            lock.unlock();
        }
    }

    private ObjectNode connect(PeerServer.Session session, ObjectNode req) {
        Subsystem sub = subsystems.get(req.path("subnqn").asText());
        String host = req.path("hostnqn").asText();
        if (sub == null || !sub.listeners.contains(session.address)) {
            return Json.object().put("error", "no such subsystem on this listener");
        }
        if (!sub.allows(host)) {
            return Json.object().put("error", "host not allowed");
        }
        session.subnqn = sub.nqn;
        session.hostnqn = host;
        session.hostid = req.path("hostid").asText();
        session.cntlid = sub.nextCntlid++;
        sub.controllers.add(session);
        ObjectNode r = Json.object();
        r.put("cntlid", session.cntlid);
        r.put("serial_number", sub.serialNumber);
        r.put("model_number", sub.modelNumber);
        var arr = r.putArray("namespaces");
        for (Subsystem.Namespace ns : sub.namespaces.values()) {
            ObjectNode n = arr.addObject();
            n.put("nsid", ns.nsid());
            n.put("uuid", ns.uuid());
            n.put("block_size", ns.bdev().blockSize);
            n.put("num_blocks", ns.bdev().numBlocks);
        }
        return r;
    }

    /** The namespace a live, still-allowed controller addresses: removing the host fences it off at once. */
    private Subsystem.Namespace namespaceFor(PeerServer.Session session, ObjectNode req) throws IOException {
        Subsystem sub = session.subnqn == null ? null : subsystems.get(session.subnqn);
        if (sub == null || !sub.controllers.contains(session) || !sub.allows(session.hostnqn)) {
            throw new IOException("controller is not connected or host no longer allowed");
        }
        Subsystem.Namespace ns = sub.namespaces.get(req.path("nsid").asInt());
        if (ns == null) {
            throw new IOException("no such namespace");
        }
        return ns;
    }

    private ObjectNode readMeta(PeerServer.Session session, ObjectNode req) throws IOException {
        Subsystem.Namespace ns = namespaceFor(session, req);
        ObjectNode r = Json.object();
        r.set("meta", ns.bdev().metadata.read());
        return r;
    }

    private ObjectNode writeMeta(PeerServer.Session session, ObjectNode req) throws IOException {
        Subsystem.Namespace ns = namespaceFor(session, req);
        JsonNode meta = req.get("meta");
        ns.bdev().metadata.write(meta == null || meta.isNull() ? null : meta);
        ns.bdev().ioStat.writeOps++;
        ns.bdev().ioStat.bytesWritten += 4096;
        return Json.object().put("ok", true);
    }
}
