package io.vda.infra.spdk;

import java.util.Locale;
import java.util.regex.Pattern;

/** UUID and NGUID text forms as SPDK prints them. */
final class Uuids {
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern NGUID = Pattern.compile("[0-9a-fA-F]{32}");

    private Uuids() {
    }

    static boolean valid(String s) {
        return s != null && UUID.matcher(s).matches();
    }

    static boolean validNguid(String s) {
        return s != null && NGUID.matcher(s.replace("-", "")).matches();
    }

    /** NGUID as nvmf_get_subsystems shows it: the uuid's 32 hex digits, upper case. */
    static String nguidOf(String uuid) {
        return uuid.replace("-", "").toUpperCase(Locale.ROOT);
    }
}
