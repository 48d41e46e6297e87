package io.vda.agent.naming;

import io.vda.schema.RecordKeys;
import io.vda.schema.naming.NvmeNames;
import java.util.Optional;

/**
 * Every SPDK object name the agent creates, built here and only here, deterministically from the desired state so
 * that a restarted agent finds its own objects. Owned names start with {@link #PREFIX}; owned subsystems with
 * {@link NvmeNames#NQN_PREFIX}. Resource names are {@code [a-z0-9-]}, so {@code _} separates a disk array from an
 * index or exporter without ambiguity.
 *
 * <pre>
 * disk node:        PD bdev          vda-pd-&lt;pd&gt;            (nvme: controller vda-pd-&lt;pd&gt;, bdev vda-pd-&lt;pd&gt;n1)
 *                   PD lvstore       vda-lvs-&lt;pd&gt;
 *                   VD lvol          vda-vd-&lt;da&gt;_&lt;i&gt;       alias vda-lvs-&lt;pd&gt;/vda-vd-&lt;da&gt;_&lt;i&gt;
 * controller node:  VD attachment    vda-vd-&lt;da&gt;_&lt;i&gt;       bdev vda-vd-&lt;da&gt;_&lt;i&gt;n1
 *                   raid0            vda-raid-&lt;da&gt;
 *                   DA lvstore       vda-da-&lt;da&gt;
 *                   DA volume        vda-vol                 alias vda-da-&lt;da&gt;/vda-vol
 *                   primary's export attached by a secondary, per exporter:
 *                                    vda-pri-&lt;da&gt;_&lt;exp&gt;     bdev vda-pri-&lt;da&gt;_&lt;exp&gt;n1
 * </pre>
 */
public final class SpdkNames {
    public static final String PREFIX = "vda-";
    public static final String DA_VOLUME = "vda-vol";
    public static final int BLOCK_SIZE = 4096;
    public static final long CLUSTER_SIZE = 4L * 1024 * 1024;

    private static final String PD = PREFIX + "pd-";
    private static final String PD_LVS = PREFIX + "lvs-";
    private static final String VD = PREFIX + "vd-";
    private static final String RAID = PREFIX + "raid-";
    private static final String DA_LVS = PREFIX + "da-";
    private static final String PRIMARY = PREFIX + "pri-";

    private SpdkNames() {
    }

    public static boolean owned(String name) {
        return name != null && name.startsWith(PREFIX);
    }

    public static boolean ownedNqn(String nqn) {
        return nqn != null && nqn.startsWith(NvmeNames.NQN_PREFIX);
    }

    public static boolean isPrimaryAttachment(String name) {
        return name.startsWith(PRIMARY);
    }

    public static String pdBdevPrefix() {
        return PD;
    }

    public static String pdLvstorePrefix() {
        return PD_LVS;
    }

    public static String pdBdev(String pd) {
        return PD + pd;
    }

    /** The NVMe controller name of a PCIe physical disk; its bdev is {@link #namespaceBdev}. */
    public static String pdNvmeController(String pd) {
        return PD + pd;
    }

    public static String pdLvstore(String pd) {
        return PD_LVS + pd;
    }

    public static String vdLvol(String da, int vdIndex) {
        return VD + da + "_" + vdIndex;
    }

    public static String lvolAlias(String lvstore, String lvol) {
        return lvstore + "/" + lvol;
    }

    public static String vdAttachment(String da, int vdIndex) {
        return VD + da + "_" + vdIndex;
    }

    public static String namespaceBdev(String controllerName) {
        return controllerName + "n1";
    }

    public static String raid(String da) {
        return RAID + da;
    }

    public static String daLvstore(String da) {
        return DA_LVS + da;
    }

    public static String daVolumeAlias(String da) {
        return lvolAlias(daLvstore(da), DA_VOLUME);
    }

    public static String primaryAttachment(String da, String exp) {
        return PRIMARY + da + "_" + exp;
    }

    /** The desired-state object key an owned SPDK name belongs to (bdevs, lvstores, lvol names, controllers). */
    public static Optional<String> objectKeyOf(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.endsWith("n1") && (name.startsWith(VD) || name.startsWith(PRIMARY) || name.startsWith(PD))
                ? name.substring(0, name.length() - 2) : name;
        if (n.startsWith(PD)) {
            return Optional.of(RecordKeys.physicalDiskObject(n.substring(PD.length())));
        }
        if (n.startsWith(PD_LVS)) {
            return Optional.of(RecordKeys.physicalDiskObject(n.substring(PD_LVS.length())));
        }
        if (n.startsWith(VD)) {
            String rest = n.substring(VD.length());
            int sep = rest.lastIndexOf('_');
            if (sep > 0) {
                try {
                    return Optional.of(RecordKeys.virtualDiskObject(rest.substring(0, sep),
                            Integer.parseInt(rest.substring(sep + 1))));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
            return Optional.empty();
        }
        if (n.startsWith(RAID)) {
            return Optional.of(RecordKeys.controllerObject(n.substring(RAID.length())));
        }
        if (n.startsWith(DA_LVS)) {
            return Optional.of(RecordKeys.controllerObject(n.substring(DA_LVS.length())));
        }
        if (n.startsWith(PRIMARY)) {
            String rest = n.substring(PRIMARY.length());
            int sep = rest.indexOf('_');
            return sep > 0 ? Optional.of(RecordKeys.exporterObject(rest.substring(0, sep), rest.substring(sep + 1)))
                    : Optional.empty();
        }
        return Optional.empty();
    }

    /** On a controller node, a VD attachment belongs to the array's controller object ("cntlr/<da>"). */
    public static Optional<String> controllerObjectKeyOf(String name) {
        Optional<String> key = objectKeyOf(name);
        if (key.isPresent() && key.get().startsWith("vd/")) {
            return Optional.of(RecordKeys.controllerObject(key.get().split("/")[1]));
        }
        return key;
    }

    /** The object key an owned subsystem NQN belongs to, from the layout of {@link NvmeNames}. */
    public static Optional<String> objectKeyOfNqn(String nqn) {
        if (!ownedNqn(nqn)) {
            return Optional.empty();
        }
        String[] parts = nqn.substring(NvmeNames.NQN_PREFIX.length()).split(":");
        // ":vd:<da>:<i>" or ":exp:<da>:<exp>"
        if (parts.length == 4 && parts[1].equals("vd")) {
            try {
                return Optional.of(RecordKeys.virtualDiskObject(parts[2], Integer.parseInt(parts[3])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (parts.length == 4 && parts[1].equals("exp")) {
            return Optional.of(RecordKeys.exporterObject(parts[2], parts[3]));
        }
        return Optional.empty();
    }
}
