package io.vda.agent.spdk;

import java.util.Set;

/**
 * Maps SPDK v23.09's error answers to {@link SpdkErrorReason}. SPDK's codes are not uniform (a duplicate
 * subsystem is -32603, a missing one on delete is -32602 "Invalid parameters", a host not listed on remove is
 * -32603 "Internal error"), so some answers are read per method. Source: the recordings in shared/spdk.
 */
public final class SpdkErrorClassifier {
    private static final Set<String> NVMF_REMOVALS = Set.of("nvmf_delete_subsystem", "nvmf_subsystem_remove_ns",
            "nvmf_subsystem_remove_listener");

    private SpdkErrorClassifier() {
    }

    public static SpdkErrorReason classify(String method, int code, String message) {
        String m = message == null ? "" : message.strip();
        if (code == -32601) {
            return SpdkErrorReason.METHOD_NOT_FOUND;
        }
        if (method.equals("bdev_nvme_attach_controller")) {
            if (code == -19) {
                return SpdkErrorReason.UNREACHABLE;
            }
            if (code == -32602 && m.equals("Invalid parameters")) {
                return SpdkErrorReason.REJECTED;
            }
        }
        if (NVMF_REMOVALS.contains(method) && code == -32602 && m.equals("Invalid parameters")) {
            return SpdkErrorReason.NOT_FOUND;
        }
        if (method.equals("nvmf_subsystem_remove_host") && code == -32603 && m.equals("Internal error")) {
            return SpdkErrorReason.NOT_FOUND;
        }
        if ((method.equals("nvmf_subsystem_add_host") || method.equals("nvmf_subsystem_listener_set_ana_state"))
                && code == -32603 && m.equals("Internal error")) {
            return SpdkErrorReason.INVALID_PARAMS; // malformed host NQN; ANA reporting off or unknown listener
        }
        if (code == -17 || code == -114 || m.equals("File exists") || m.endsWith(": File exists")
                || (m.startsWith("Transport type") && m.endsWith("already exists"))) {
            return SpdkErrorReason.ALREADY_EXISTS;
        }
        if (code == -19 || code == -2 || m.equals("No such device") || m.endsWith(" not found")) {
            return SpdkErrorReason.NOT_FOUND;
        }
        if (code == -28 || m.equals("No space left on device")) {
            return SpdkErrorReason.NO_SPACE;
        }
        if (code == -1 || m.endsWith("Operation not permitted")) {
            return SpdkErrorReason.NOT_PERMITTED;
        }
        if (code == -22 || code == -32700 || code == -32602 || m.equals("spdk_json_decode_object failed")
                || m.endsWith("Invalid argument") || m.startsWith("Invalid SN") || m.startsWith("Invalid MN")) {
            return SpdkErrorReason.INVALID_PARAMS;
        }
        return SpdkErrorReason.INTERNAL;
    }
}
