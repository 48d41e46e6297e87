package io.vda.projections.document;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.NavigableMap;

/** Read access to projected documents by etcd key. Returned documents are shared: never modify them. */
public interface DocumentSource {

    /** The document at a key, or null. */
    ObjectNode get(String key);

    /** All documents whose key starts with the prefix, in key order (a copy). */
    NavigableMap<String, ObjectNode> withPrefix(String prefix);

    static String prefixEnd(String prefix) {
        return prefix + Character.MAX_VALUE;
    }
}
