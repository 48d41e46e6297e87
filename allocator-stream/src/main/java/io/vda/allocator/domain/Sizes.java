package io.vda.allocator.domain;

import java.util.Locale;

/** Byte counts in words a user reads ("25 GiB", "1.5 TiB", "300 MiB"). */
public final class Sizes {

    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Sizes() {
    }

    public static String human(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        if (unit == 0) {
            return bytes + " bytes";
        }
        String number = value == Math.rint(value)
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + UNITS[unit];
    }
}
