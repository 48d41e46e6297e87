package io.vda.schema.config;

/** One configuration setting: its environment variable, default and meaning (for docs and --help). */
public record Setting(String name, String defaultValue, String doc) {
}
