package io.vda.infra.spdk;

/** Finds where one top-level JSON object or array ends in a byte stream, as SPDK's streaming parser does. */
final class JsonFraming {
    static final int INCOMPLETE = -1;
    static final int MALFORMED = -2;

    private JsonFraming() {
    }

    static int skipBlanks(byte[] data, int from) {
        int i = from;
        while (i < data.length && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** Index just past the value starting at {@code from}, or INCOMPLETE / MALFORMED. */
    static int endOfValue(byte[] data, int from) {
        int i = skipBlanks(data, from);
        if (i == data.length) {
            return INCOMPLETE;
        }
        if (data[i] != '{' && data[i] != '[') {
            return MALFORMED;
        }
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (; i < data.length; i++) {
            byte b = data[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return INCOMPLETE;
    }
}
