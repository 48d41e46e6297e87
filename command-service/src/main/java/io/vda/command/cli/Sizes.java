package io.vda.command.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human sizes: {@code 10GiB}, {@code 512MiB}, {@code 4KiB} (powers of 1024), {@code 10GB} (powers of 1000),
 * {@code 1.5TiB}, or plain bytes. Single letters ({@code 10G}) mean the binary unit, as SPDK and most storage tools do.
 */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtpe]?)(i?)(b?)", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "kmgtpe";

    private Sizes() {
    }

    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches() || (m.group(2).isEmpty() && !m.group(3).isEmpty())) {
            throw new IllegalArgumentException("'" + text + "' is not a size; use e.g. 10GiB, 512MiB, 4096");
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        boolean decimal = !unit.isEmpty() && m.group(3).isEmpty() && !m.group(4).isEmpty();
        BigDecimal base = BigDecimal.valueOf(decimal ? 1000 : 1024);
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(unit.isEmpty() ? BigDecimal.ONE
                : base.pow(UNITS.indexOf(unit) + 1));
        try {
            return bytes.setScale(0, java.math.RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes that fits in 63 bits");
        }
    }

    /** {@code 10GiB}, {@code 1.5GiB}, {@code 512B}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int i = -1;
        while (value >= 1024 && i < units.length - 1) {
            value /= 1024;
            i++;
        }
        String number = value == Math.rint(value) ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
        return number + units[i];
    }
}
