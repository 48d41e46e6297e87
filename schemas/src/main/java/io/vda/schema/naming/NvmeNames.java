package io.vda.schema.naming;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * NVMe-oF identities, derived deterministically from resource names so that every controller of a disk array
 * exports the same target NQN, serial number and namespace UUID (one namespace, many paths), and a restarted agent
 * finds its own subsystems again.
 */
public final class NvmeNames {

    /** NQN of the form {@code nqn.yyyy-mm.reverse-domain:...} (NVMe Base Specification, 4.5). */
    public static final String NQN_PREFIX = "nqn.2024-01.io.vda";
    public static final String MODEL_NUMBER = "VDA Disk Array";
    /** SPDK refuses serial numbers over 20 characters. */
    public static final int SERIAL_LENGTH = 20;

    private NvmeNames() {
    }

    public static String controllerHostNqn(String cnName) {
        return NQN_PREFIX + ":cn:" + cnName;
    }

    public static String virtualDiskNqn(String daName, int vdIndex) {
        return NQN_PREFIX + ":vd:" + daName + ":" + vdIndex;
    }

    /** The primary's export of a disk array's volume to its secondaries. */
    public static String secondaryExportNqn(String daName) {
        return NQN_PREFIX + ":da:" + daName;
    }

    public static String exporterNqn(String daName, String expName) {
        return NQN_PREFIX + ":exp:" + daName + ":" + expName;
    }

    public static String exporterSerialNumber(String daName, String expName) {
        String hex = nameUuid("serial", daName, expName).toString().replace("-", "").toUpperCase(Locale.ROOT);
        return "VDA" + hex.substring(0, SERIAL_LENGTH - 3);
    }

    public static String exporterNamespaceUuid(String daName, String expName) {
        return nameUuid("namespace", daName, expName).toString();
    }

    private static UUID nameUuid(String purpose, String daName, String expName) {
        return UUID.nameUUIDFromBytes((purpose + "\0" + daName + "\0" + expName).getBytes(StandardCharsets.UTF_8));
    }
}
