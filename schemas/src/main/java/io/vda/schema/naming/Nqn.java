package io.vda.schema.naming;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/** NVMe Qualified Name syntax (NVMe Base Specification 2.0, section 4.5). */
public final class Nqn {

    public static final int MAX_BYTES = 223;
    public static final String RULE = "an NQN is at most 223 bytes, either 'nqn.yyyy-mm.<reverse domain>[:<text>]'"
            + " or 'nqn.2014-08.org.nvmexpress:uuid:<uuid>'";
    private static final Pattern UUID_FORM = Pattern.compile(
            "nqn\\.2014-08\\.org\\.nvmexpress:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN_FORM = Pattern.compile(
            "nqn\\.\\d{4}-(0[1-9]|1[0-2])\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[\\x21-\\x7e]+)?");

    private Nqn() {
    }

    public static boolean isValid(String nqn) {
        if (nqn == null || nqn.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return false;
        }
        if (nqn.startsWith("nqn.2014-08.org.nvmexpress:uuid:")) {
            return UUID_FORM.matcher(nqn).matches();
        }
        return DOMAIN_FORM.matcher(nqn).matches();
    }

    public static Optional<String> problem(String nqn) {
        return isValid(nqn) ? Optional.empty() : Optional.of("'" + nqn + "' is not a valid NQN; " + RULE);
    }
}
