package io.vda.agent.reconcile;

import io.vda.agent.desired.DesiredSnapshot;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.reconcile.Plan.Blocked;
import io.vda.agent.spdk.AnaState;
import io.vda.agent.spdk.Bdev;
import io.vda.agent.spdk.ListenAddress;
import io.vda.agent.spdk.Lvstore;
import io.vda.agent.spdk.NamespaceSpec;
import io.vda.agent.spdk.NvmeController;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.spdk.QosLimits;
import io.vda.agent.spdk.RaidBdev;
import io.vda.agent.spdk.SubsystemSpec;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.ExporterSpec;
import io.vda.schema.state.PhysicalDiskSpec;
import io.vda.schema.state.VirtualDiskEndpoint;
import io.vda.schema.state.VirtualDiskSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Desired state + one observed snapshot → the ordered idempotent steps that bring SPDK closer to desired. Pure: no
 * I/O, no clock. A step whose outcome must be observed before the next decision (a new aio bdev is examined, a new
 * raid is examined for an existing lvstore) ends its object's chain for this round; the executor plans again.
 *
 * <p>Never destroys array data: the controller side never deletes a disk array's lvstore or volume (deleting the
 * raid only unloads them; the data lives on the disk nodes, deleted there with the virtual disks), and creates the
 * lvstore only when the desired state says it was never initialised and the assembled raid carries none.
 */
public final class Planner {
    static final long MIB = 1024L * 1024;
    private static final String TCP = "TCP";

    private Planner() {
    }

    public static Plan plan(NodeContext ctx, DesiredSnapshot d, Observed o) {
        return ctx.role() == NodeContext.NodeRole.DISK ? planDiskNode(ctx, d, o) : planControllerNode(ctx, d, o);
    }

    // ------------------------------------------------------------------ disk node

    static Plan planDiskNode(NodeContext ctx, DesiredSnapshot d, Observed o) {
        Plan.Builder b = new Plan.Builder();
        Set<String> wantedNqns = new HashSet<>();
        Set<String> wantedLvols = new HashSet<>();
        d.virtualDisks().values().forEach(v -> {
            wantedNqns.add(v.getSubsystemNqn());
            wantedLvols.add(vdAlias(v));
        });
        Set<String> wantedLvstores = new HashSet<>();
        Set<String> wantedBdevs = new HashSet<>();
        d.physicalDisks().values().forEach(p -> {
            wantedLvstores.add(SpdkNames.pdLvstore(p.getPdName()));
            wantedBdevs.add(SpdkNames.pdBdev(p.getPdName()));
        });

        // Teardown, reverse order: VD subsystems → VD lvols → PD lvstores → PD bdevs.
        for (NvmfSubsystem s : o.subsystems()) {
            if (SpdkNames.ownedNqn(s.nqn()) && !wantedNqns.contains(s.nqn())) {
                b.teardown(Step.of(keyOfNqn(s.nqn()), new Step.DeleteSubsystem(s.nqn())));
            }
        }
        for (String alias : o.lvolAliases()) {
            String[] parts = alias.split("/", 2);
            if (parts[0].startsWith(SpdkNames.pdLvstorePrefix()) && SpdkNames.owned(parts[1])
                    && !wantedLvols.contains(alias)) {
                b.teardown(Step.of(keyOf(parts[1]), new Step.DeleteLvol(alias)));
            }
        }
        for (Lvstore l : o.lvstores()) {
            if (l.name().startsWith(SpdkNames.pdLvstorePrefix()) && !wantedLvstores.contains(l.name())) {
                boolean foreign = o.lvolAliases().stream()
                        .anyMatch(a -> a.startsWith(l.name() + "/") && !SpdkNames.owned(a.substring(l.name().length() + 1)));
                if (foreign) {
                    b.block(keyOf(l.name()), Blocked.error("not deleting lvstore " + l.name()
                            + ": it holds lvols the agent does not own"));
                } else {
                    b.teardown(Step.of(keyOf(l.name()), new Step.DeleteLvstore(l.name())));
                }
            }
        }
        for (Bdev bdev : o.bdevs()) {
            if (bdev.name().startsWith(SpdkNames.pdBdevPrefix()) && !wantedBdevs.contains(bdev.name())) {
                String product = bdev.productName() == null ? "" : bdev.productName().toLowerCase(Locale.ROOT);
                if (product.contains("malloc")) {
                    b.teardown(Step.of(keyOf(bdev.name()), new Step.DeleteMallocBdev(bdev.name())));
                } else if (product.contains("aio")) {
                    b.teardown(Step.of(keyOf(bdev.name()), new Step.DeleteAioBdev(bdev.name())));
                }
            }
        }
        for (NvmeController c : o.controllers()) {
            if (c.name().startsWith(SpdkNames.pdBdevPrefix()) && !wantedBdevs.contains(SpdkNames.pdBdev(
                    c.name().substring(SpdkNames.pdBdevPrefix().length())))) {
                b.teardown(Step.of(keyOf(c.name()), new Step.DetachController(c.name())));
            }
        }

        // Build, dependency order: transport, PD bdev → PD lvstore, VD lvol → QoS → subsystem.
        if (!d.virtualDisks().isEmpty() && !o.hasTransport(TCP)) {
            b.build(Step.of(RecordKeys.NODE_OBJECT, new Step.CreateTransport(TCP)));
        }
        Set<String> lvstoresReady = new HashSet<>();
        d.physicalDisks().forEach((key, pd) -> planPhysicalDisk(b, key, pd, o, lvstoresReady));
        d.virtualDisks().forEach((key, vd) -> planVirtualDisk(ctx, b, key, vd, d, o, lvstoresReady));
        return b.done();
    }

    private static void planPhysicalDisk(Plan.Builder b, String key, PhysicalDiskSpec pd, Observed o,
            Set<String> lvstoresReady) {
        String lvsName = SpdkNames.pdLvstore(pd.getPdName());
        var backing = pd.getBacking();
        String bdevName = switch (backing.getType()) {
            case NVME -> SpdkNames.namespaceBdev(SpdkNames.pdNvmeController(pd.getPdName()));
            default -> SpdkNames.pdBdev(pd.getPdName());
        };
        Optional<Bdev> bdev = o.bdev(bdevName);
        if (bdev.isEmpty()) {
            switch (backing.getType()) {
                case MALLOC -> b.build(Step.of(key, new Step.CreateMallocBdev(bdevName,
                        backing.getSizeBytes() / SpdkNames.BLOCK_SIZE, SpdkNames.BLOCK_SIZE)));
                case AIO -> {
                    if (backing.getFileName() == null) {
                        b.block(key, Blocked.error("aio physical disk without a file name"));
                        return;
                    }
                    // An aio file may carry an lvstore from before: let examine find it before deciding.
                    b.build(Step.of(key, new Step.CreateAioBdev(bdevName, backing.getFileName(),
                            SpdkNames.BLOCK_SIZE)));
                    b.build(Step.of(key, new Step.ExamineBdev(bdevName)));
                    b.block(key, Blocked.pending("bdev created; waiting for examine"));
                    return;
                }
                case NVME -> {
                    b.block(key, Blocked.error("local NVMe (PCIe) physical disks are not supported by this agent's "
                            + "SPDK client yet"));
                    return;
                }
                default -> {
                    b.block(key, Blocked.error("physical disk backing type " + backing.getType() + " unknown"));
                    return;
                }
            }
        }
        Optional<Lvstore> lvs = bdev.isPresent() ? o.lvstoreOn(bdev.get().name()) : Optional.empty();
        if (lvs.isPresent()) {
            if (!lvs.get().name().equals(lvsName)) {
                b.block(key, Blocked.error("bdev " + bdevName + " carries a foreign lvstore " + lvs.get().name()));
                return;
            }
        } else if (bdev.isPresent() && bdev.get().claimed()) {
            b.block(key, Blocked.error("bdev " + bdevName + " is claimed (" + bdev.get().claimType() + ")"));
            return;
        } else {
            b.build(Step.of(key, new Step.CreateLvstore(bdevName, lvsName)));
        }
        lvstoresReady.add(lvsName);
    }

    private static void planVirtualDisk(NodeContext ctx, Plan.Builder b, String key, VirtualDiskSpec vd,
            DesiredSnapshot d, Observed o, Set<String> lvstoresReady) {
        String pdKey = RecordKeys.physicalDiskObject(vd.getPdName());
        if (!d.physicalDisks().containsKey(pdKey)) {
            b.block(key, Blocked.error("physical disk " + vd.getPdName() + " is not in this node's desired state"));
            return;
        }
        String lvsName = SpdkNames.pdLvstore(vd.getPdName());
        if (!lvstoresReady.contains(lvsName)) {
            b.block(key, Blocked.pending("waiting for physical disk " + vd.getPdName()));
            return;
        }
        String lvolName = SpdkNames.vdLvol(vd.getDaName(), vd.getVdIndex());
        String alias = SpdkNames.lvolAlias(lvsName, lvolName);
        long sizeMib = mib(vd.getSizeBytes());
        Optional<Bdev> lvol = o.bdev(alias);
        if (lvol.isEmpty()) {
            b.build(Step.of(key, pdKey, new Step.CreateLvol(lvsName, lvolName, sizeMib, vd.getThin())));
        } else if (lvol.get().sizeBytes() < sizeMib * MIB) {
            b.build(Step.of(key, pdKey, new Step.ResizeLvol(alias, sizeMib)));
        }
        QosLimits qos = qos(vd.getQos());
        QosLimits current = lvol.map(Planner::qosOf).orElse(QosLimits.UNLIMITED);
        if (!qos.equals(current)) {
            b.build(Step.of(key, pdKey, new Step.SetQos(alias, qos)));
        }
        String nqn = vd.getSubsystemNqn();
        Optional<NvmfSubsystem> sub = o.subsystem(nqn);
        if (sub.isEmpty()) {
            b.build(Step.of(key, pdKey, new Step.CreateSubsystem(SubsystemSpec.of(nqn, null, null))));
            b.build(Step.of(key, pdKey, new Step.AddNamespace(nqn, NamespaceSpec.of(alias))));
            b.build(Step.of(key, pdKey, new Step.AddListener(nqn, ctx.listener())));
            b.build(Step.of(key, pdKey, new Step.AddHost(nqn, vd.getAllowedHostNqn())));
            return;
        }
        NvmfSubsystem s = sub.get();
        if (namespaceNeedsAdd(b, key, s, alias, null, o)) {
            b.build(Step.of(key, pdKey, new Step.AddNamespace(nqn, NamespaceSpec.of(alias))));
        }
        if (!listens(s, ctx.listener())) {
            b.build(Step.of(key, pdKey, new Step.AddListener(nqn, ctx.listener())));
        }
        // The fence: the old primary is removed (teardown phase, before anything is built) and only then the new
        // one admitted.
        for (String host : s.hostNqns()) {
            if (!host.equals(vd.getAllowedHostNqn())) {
                b.teardown(Step.of(key, new Step.RemoveHost(nqn, host)));
            }
        }
        if (!s.hostNqns().contains(vd.getAllowedHostNqn())) {
            b.build(Step.of(key, pdKey, new Step.AddHost(nqn, vd.getAllowedHostNqn())));
        }
    }

    /**
     * Whether the subsystem needs its single namespace (re)added as {@code alias}; a wrong namespace is removed in
     * the teardown phase.
     */
    private static boolean namespaceNeedsAdd(Plan.Builder b, String key, NvmfSubsystem s, String alias, String uuid,
            Observed o) {
        List<NvmfSubsystem.Namespace> namespaces = s.namespaces() == null ? List.of() : s.namespaces();
        Optional<Bdev> expected = o.bdev(alias);
        boolean add = namespaces.isEmpty();
        for (NvmfSubsystem.Namespace ns : namespaces) {
            boolean right = expected.isPresent() && expected.get().name().equals(ns.bdevName())
                    && (uuid == null || uuid.equalsIgnoreCase(ns.uuid()));
            if (!right) {
                b.teardown(Step.of(key, new Step.RemoveNamespace(s.nqn(), ns.nsid())));
                add = true;
            }
        }
        return add;
    }

    // ------------------------------------------------------------------ controller node

    static Plan planControllerNode(NodeContext ctx, DesiredSnapshot d, Observed o) {
        Plan.Builder b = new Plan.Builder();
        Map<String, ControllerSpec> byDa = new HashMap<>();
        d.controllers().values().forEach(c -> byDa.put(c.getDaName(), c));

        // What should exist: controllers (attachments) with their shape, raids, exporter subsystems.
        Map<String, Step.AttachController> wantedAttachments = new HashMap<>();
        Set<String> wantedRaids = new HashSet<>();
        Set<String> wantedNqns = new HashSet<>();
        for (ControllerSpec c : byDa.values()) {
            if (c.getRole() == ControllerRole.PRIMARY) {
                wantedRaids.add(SpdkNames.raid(c.getDaName()));
                for (VirtualDiskEndpoint ep : c.getVirtualDisks()) {
                    String name = SpdkNames.vdAttachment(c.getDaName(), ep.getVdIndex());
                    wantedAttachments.put(name, new Step.AttachController(name, address(ep.getNvmfListener()),
                            ep.getSubsystemNqn(), c.getHostNqn()));
                }
            }
        }
        for (ExporterSpec e : d.exporters().values()) {
            ControllerSpec c = byDa.get(e.getDaName());
            if (c == null) {
                continue;
            }
            wantedNqns.add(e.getTargetNqn());
            if (c.getRole() == ControllerRole.SECONDARY) {
                String name = SpdkNames.primaryAttachment(e.getDaName(), e.getExpName());
                wantedAttachments.put(name, new Step.AttachController(name, address(c.getPrimary().getNvmfListener()),
                        e.getTargetNqn(), c.getHostNqn()));
            }
        }
        Set<String> attachmentsOk = new HashSet<>();
        for (NvmeController nc : o.controllers()) {
            Step.AttachController want = wantedAttachments.get(nc.name());
            // An attachment made before its target had a namespace has no bdev: attach again.
            if (want != null && sameShape(nc, want) && o.bdev(SpdkNames.namespaceBdev(nc.name())).isPresent()) {
                attachmentsOk.add(nc.name());
            }
        }

        // Teardown, reverse order: exporter namespaces/subsystems → secondary attachments → raids → VD attachments.
        Map<String, Boolean> namespaceReadded = new HashMap<>();
        for (ExporterSpec e : d.exporters().values()) {
            ControllerSpec c = byDa.get(e.getDaName());
            Optional<NvmfSubsystem> s = o.subsystem(e.getTargetNqn());
            if (c == null || s.isEmpty()) {
                continue;
            }
            String key = RecordKeys.exporterObject(e.getDaName(), e.getExpName());
            if (!e.getSerialNumber().equals(s.get().serialNumber()) || !e.getModelNumber().equals(s.get().modelNumber())) {
                b.teardown(Step.of(key, new Step.DeleteSubsystem(e.getTargetNqn())));
                namespaceReadded.put(key, null);
                continue;
            }
            namespaceReadded.put(key, namespaceNeedsAdd(b, key, s.get(), exporterBdevAlias(c, e),
                    e.getNamespaceUuid(), o));
        }
        for (NvmfSubsystem s : o.subsystems()) {
            if (SpdkNames.ownedNqn(s.nqn()) && !wantedNqns.contains(s.nqn())) {
                b.teardown(Step.of(keyOfNqn(s.nqn()), new Step.DeleteSubsystem(s.nqn())));
            }
        }
        List<NvmeController> obsolete = o.controllers().stream()
                .filter(nc -> SpdkNames.owned(nc.name()) && !attachmentsOk.contains(nc.name()))
                .sorted(Comparator.comparing((NvmeController nc) -> !SpdkNames.isPrimaryAttachment(nc.name())))
                .toList();
        for (NvmeController nc : obsolete) {
            if (SpdkNames.isPrimaryAttachment(nc.name())) {
                b.teardown(Step.of(keyOf(nc.name()), new Step.DetachController(nc.name())));
            }
        }
        for (RaidBdev r : o.raids()) {
            if (SpdkNames.owned(r.name()) && !wantedRaids.contains(r.name())) {
                // Unloads the array's lvstore and volume; their data stays on the disk nodes.
                b.teardown(Step.of(keyOf(r.name()), new Step.DeleteRaid(r.name())));
            }
        }
        for (NvmeController nc : obsolete) {
            if (!SpdkNames.isPrimaryAttachment(nc.name())) {
                b.teardown(Step.of(SpdkNames.controllerObjectKeyOf(nc.name()).orElse("orphan/" + nc.name()),
                        new Step.DetachController(nc.name())));
            }
        }

        // Build.
        if (!wantedNqns.isEmpty() && !o.hasTransport(TCP)) {
            b.build(Step.of(RecordKeys.NODE_OBJECT, new Step.CreateTransport(TCP)));
        }
        Set<String> volumesReady = new HashSet<>();
        for (var entry : d.controllers().entrySet()) {
            ControllerSpec c = entry.getValue();
            String key = entry.getKey();
            switch (c.getRole()) {
                case PRIMARY -> {
                    if (planPrimary(b, key, c, o, wantedAttachments, attachmentsOk)) {
                        volumesReady.add(c.getDaName());
                    }
                }
                case SECONDARY -> {
                    // A secondary's objects are per exporter.
                }
                default -> b.block(key, Blocked.error("controller role " + c.getRole() + " unknown"));
            }
        }
        for (var entry : d.exporters().entrySet()) {
            planExporter(ctx, b, entry.getKey(), entry.getValue(), byDa.get(entry.getValue().getDaName()), o,
                    wantedAttachments, attachmentsOk, volumesReady, namespaceReadded);
        }
        return b.done();
    }

    /** @return whether the volume exists or is built in this round */
    private static boolean planPrimary(Plan.Builder b, String key, ControllerSpec c, Observed o,
            Map<String, Step.AttachController> wantedAttachments, Set<String> attachmentsOk) {
        String da = c.getDaName();
        List<VirtualDiskEndpoint> vds = new ArrayList<>(c.getVirtualDisks());
        vds.sort(Comparator.comparingInt(VirtualDiskEndpoint::getVdIndex));
        List<String> members = new ArrayList<>();
        for (VirtualDiskEndpoint ep : vds) {
            String name = SpdkNames.vdAttachment(da, ep.getVdIndex());
            members.add(SpdkNames.namespaceBdev(name));
            if (!attachmentsOk.contains(name)) {
                b.build(Step.of(key, wantedAttachments.get(name)));
            }
        }
        String raidName = SpdkNames.raid(da);
        Optional<RaidBdev> raid = o.raid(raidName);
        if (raid.isEmpty()) {
            b.build(Step.of(key, new Step.CreateRaid(raidName, c.getStripSizeKb(), members)));
            b.block(key, Blocked.pending("raid created; waiting for it to assemble and be examined"));
            return false;
        }
        if (!raid.get().online()) {
            b.block(key, Blocked.pending("raid " + raidName + " is " + raid.get().state() + " ("
                    + raid.get().numBaseBdevsDiscovered() + " of " + raid.get().numBaseBdevs() + " members)"));
            return false;
        }
        String lvsName = SpdkNames.daLvstore(da);
        Optional<Lvstore> lvs = o.lvstoreOn(raidName);
        if (lvs.isPresent()) {
            if (c.getLvstoreUuid() != null && !c.getLvstoreUuid().equals(lvs.get().uuid())) {
                b.block(key, Blocked.error("raid " + raidName + " carries lvstore " + lvs.get().uuid()
                        + " but the disk array's is " + c.getLvstoreUuid() + "; not touching it"));
                return false;
            }
            if (!c.getLvstoreInitialized()) {
                b.initialized(new Step.MarkInitialized(da, c.getEpoch(), lvs.get().uuid()));
            }
            lvsName = lvs.get().name();
        } else if (c.getLvstoreInitialized()) {
            // With bdev_auto_examine off, SPDK finds the lvstore only when asked to.
            b.build(Step.of(key, new Step.ExamineBdev(raidName)));
            b.block(key, Blocked.error("lvstore " + c.getLvstoreUuid() + " of disk array " + da
                    + " not found on raid " + raidName + "; waiting for it, never formatting an initialised array"));
            return false;
        } else {
            b.build(Step.of(key, new Step.CreateDiskArrayLvstore(da, c.getEpoch(), raidName, lvsName)));
        }
        String alias = SpdkNames.lvolAlias(lvsName, SpdkNames.DA_VOLUME);
        long sizeMib = mib(c.getSizeBytes());
        Optional<Bdev> volume = o.bdev(alias);
        if (volume.isEmpty()) {
            b.build(Step.of(key, new Step.CreateLvol(lvsName, SpdkNames.DA_VOLUME, sizeMib, true)));
        } else if (volume.get().sizeBytes() < sizeMib * MIB) {
            b.build(Step.of(key, new Step.ResizeLvol(alias, sizeMib)));
        }
        QosLimits qos = qos(c.getQos());
        if (!qos.equals(volume.map(Planner::qosOf).orElse(QosLimits.UNLIMITED))) {
            b.build(Step.of(key, new Step.SetQos(alias, qos)));
        }
        return true;
    }

    private static void planExporter(NodeContext ctx, Plan.Builder b, String key, ExporterSpec e, ControllerSpec c,
            Observed o, Map<String, Step.AttachController> wantedAttachments, Set<String> attachmentsOk,
            Set<String> volumesReady, Map<String, Boolean> namespaceReadded) {
        if (c == null) {
            b.block(key, Blocked.pending("no controller of disk array " + e.getDaName() + " on this node"));
            return;
        }
        boolean primary = c.getRole() == ControllerRole.PRIMARY;
        if (!primary && c.getRole() != ControllerRole.SECONDARY) {
            b.block(key, Blocked.error("controller role " + c.getRole() + " unknown"));
            return;
        }
        String cntlrKey = RecordKeys.controllerObject(e.getDaName());
        String nqn = e.getTargetNqn();
        String bdevAlias = exporterBdevAlias(c, e);
        boolean bdevReady;
        Set<String> hosts = new LinkedHashSet<>(e.getHostNqns());
        if (primary) {
            c.getSecondaries().forEach(s -> hosts.add(s.getHostNqn()));
            bdevReady = volumesReady.contains(e.getDaName());
        } else {
            String attachment = SpdkNames.primaryAttachment(e.getDaName(), e.getExpName());
            bdevReady = attachmentsOk.contains(attachment);
            if (!bdevReady) {
                b.build(Step.of(key, wantedAttachments.get(attachment)));
            }
        }
        AnaState ana = primary ? AnaState.OPTIMIZED : AnaState.NON_OPTIMIZED;
        String dependsOn = primary ? cntlrKey : null;
        Optional<NvmfSubsystem> sub = o.subsystem(nqn);
        boolean recreate = sub.isEmpty() || (namespaceReadded.containsKey(key) && namespaceReadded.get(key) == null);
        if (recreate) {
            b.build(Step.of(key, dependsOn, new Step.CreateSubsystem(
                    SubsystemSpec.of(nqn, e.getSerialNumber(), e.getModelNumber()).withAnaReporting())));
            if (bdevReady) {
                b.build(Step.of(key, dependsOn, new Step.AddNamespace(nqn,
                        NamespaceSpec.of(bdevAlias).withUuid(e.getNamespaceUuid()))));
            }
            b.build(Step.of(key, dependsOn, new Step.AddListener(nqn, ctx.listener())));
            hosts.forEach(h -> b.build(Step.of(key, dependsOn, new Step.AddHost(nqn, h))));
            b.build(Step.of(key, dependsOn, new Step.SetAnaState(nqn, ctx.listener(), ana)));
        } else {
            NvmfSubsystem s = sub.get();
            boolean setAna = false;
            if (Boolean.TRUE.equals(namespaceReadded.get(key)) && bdevReady) {
                b.build(Step.of(key, dependsOn, new Step.AddNamespace(nqn,
                        NamespaceSpec.of(bdevAlias).withUuid(e.getNamespaceUuid()))));
                setAna = true;
            }
            if (!listens(s, ctx.listener())) {
                b.build(Step.of(key, dependsOn, new Step.AddListener(nqn, ctx.listener())));
                setAna = true;
            }
            for (String h : s.hostNqns()) {
                if (!hosts.contains(h)) {
                    b.teardown(Step.of(key, new Step.RemoveHost(nqn, h)));
                }
            }
            for (String h : hosts) {
                if (!s.hostNqns().contains(h)) {
                    b.build(Step.of(key, dependsOn, new Step.AddHost(nqn, h)));
                }
            }
            if (setAna) {
                b.build(Step.of(key, dependsOn, new Step.SetAnaState(nqn, ctx.listener(), ana)));
            }
        }
        if (!bdevReady) {
            b.block(key, Blocked.pending(primary ? "waiting for the disk array's volume"
                    : "waiting for the primary's export"));
        }
    }

    /** The bdev an exporter's namespace is: the volume on a primary, the attached primary export on a secondary. */
    private static String exporterBdevAlias(ControllerSpec c, ExporterSpec e) {
        return c.getRole() == ControllerRole.PRIMARY ? SpdkNames.daVolumeAlias(e.getDaName())
                : SpdkNames.namespaceBdev(SpdkNames.primaryAttachment(e.getDaName(), e.getExpName()));
    }

    private static boolean sameShape(NvmeController nc, Step.AttachController want) {
        if (nc.ctrlrs() == null || nc.ctrlrs().isEmpty()) {
            return false;
        }
        NvmeController.Path p = nc.ctrlrs().get(0);
        return p.trid() != null && want.subnqn().equals(p.trid().subnqn())
                && want.address().traddr().equals(p.trid().traddr())
                && want.address().trsvcid().equals(p.trid().trsvcid())
                && (p.host() == null || p.host().nqn() == null || want.hostnqn().equals(p.host().nqn()));
    }

    // ------------------------------------------------------------------ helpers

    static String vdAlias(VirtualDiskSpec v) {
        return SpdkNames.lvolAlias(SpdkNames.pdLvstore(v.getPdName()), SpdkNames.vdLvol(v.getDaName(), v.getVdIndex()));
    }

    private static String keyOf(String spdkName) {
        return SpdkNames.objectKeyOf(spdkName).orElse("orphan/" + spdkName);
    }

    private static String keyOfNqn(String nqn) {
        return SpdkNames.objectKeyOfNqn(nqn).orElse("orphan/" + nqn);
    }

    static long mib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }

    static boolean listens(NvmfSubsystem s, ListenAddress a) {
        return s.listenAddresses() != null && s.listenAddresses().stream().anyMatch(l ->
                a.trtype().equalsIgnoreCase(l.trtype()) && a.traddr().equals(l.traddr())
                        && a.trsvcid().equals(l.trsvcid()));
    }

    static QosLimits qos(io.vda.schema.common.QosLimits q) {
        return q == null ? QosLimits.UNLIMITED
                : new QosLimits(q.getRwIosPerSec(), q.getRwMbytesPerSec(), q.getRMbytesPerSec(), q.getWMbytesPerSec());
    }

    private static QosLimits qosOf(Bdev b) {
        return b.assignedRateLimits() == null ? QosLimits.UNLIMITED : b.assignedRateLimits();
    }

    /** The spec's listener as SPDK spells it ("TCP", "IPv4"). */
    public static ListenAddress address(NvmfListener l) {
        String adrfam = l.getAdrFam() == null || l.getAdrFam().equalsIgnoreCase("ipv4") ? "IPv4"
                : l.getAdrFam().equalsIgnoreCase("ipv6") ? "IPv6" : l.getAdrFam();
        return new ListenAddress(l.getTrType().toUpperCase(Locale.ROOT), adrfam, l.getTrAddr(), l.getTrSvcId());
    }
}
