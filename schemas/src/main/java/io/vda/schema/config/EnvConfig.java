package io.vda.schema.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads typed settings from a map of environment variables, collecting every problem so that a process fails fast
 * at start-up with one message naming each bad variable and its rule. Keeps what it read, for a redacted log line.
 */
public final class EnvConfig {

    private final Map<String, String> env;
    private final Set<String> secrets;
    private final Map<String, String> used = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    public EnvConfig(Map<String, String> env, Set<String> secrets) {
        this.env = Map.copyOf(env);
        this.secrets = Set.copyOf(secrets);
    }

    public String string(String name, String defaultValue) {
        String value = env.getOrDefault(name, defaultValue);
        used.put(name, value);
        return value;
    }

    public String string(Setting setting) {
        return string(setting.name(), setting.defaultValue());
    }

    public String string(String name, String defaultValue, Predicate<String> valid, String rule) {
        String value = string(name, defaultValue);
        if (value == null || !valid.test(value)) {
            problems.add(name + "=" + value + ": " + rule);
        }
        return value;
    }

    public int integer(String name, int defaultValue, int min, int max) {
        String raw = string(name, Integer.toString(defaultValue));
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                problems.add(name + "=" + raw + ": must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(name + "=" + raw + ": must be a whole number between " + min + " and " + max);
            return defaultValue;
        }
    }

    /** Accepts "500ms", "2s", "1m" or ISO-8601 ("PT2S"). */
    public Duration duration(String name, Duration defaultValue, Duration min) {
        String raw = string(name, format(defaultValue));
        try {
            Duration value = parseDuration(raw);
            if (value.compareTo(min) < 0) {
                problems.add(name + "=" + raw + ": must be at least " + format(min));
            }
            return value;
        } catch (IllegalArgumentException e) {
            problems.add(name + "=" + raw + ": must be a duration such as 500ms, 2s, 1m or PT2S");
            return defaultValue;
        }
    }

    static Duration parseDuration(String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(raw, e);
        }
        throw new IllegalArgumentException(raw);
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Throws one exception naming every bad variable. */
    public void validate() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    /** The settings read, secrets shown as ***. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        used.forEach((name, value) -> out.append(out.length() == 0 ? "" : ", ").append(name).append('=')
                .append(secrets.contains(name) && value != null ? "***" : value));
        return out.toString();
    }
}
