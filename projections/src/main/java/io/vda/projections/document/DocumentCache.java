package io.vda.projections.document;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The committed documents (resources and bookkeeping, not command outcomes) as etcd holds them. Valid because the
 * projection is the only writer of its prefix (guarded by the owner key, see ADR 0021): it is loaded once at start
 * and then changed only after each etcd transaction succeeds.
 */
public final class DocumentCache implements DocumentSource {

    private final ProjectionKeys keys;
    private final NavigableMap<String, ObjectNode> documents = new TreeMap<>();

    public DocumentCache(ProjectionKeys keys) {
        this.keys = keys;
    }

    public ProjectionKeys keys() {
        return keys;
    }

    @Override
    public ObjectNode get(String key) {
        return documents.get(key);
    }

    @Override
    public NavigableMap<String, ObjectNode> withPrefix(String prefix) {
        return new TreeMap<>(documents.subMap(prefix, true, DocumentSource.prefixEnd(prefix), false));
    }

    /** Loads a document read from etcd at start. */
    public void load(String key, ObjectNode document) {
        if (keys.isCached(key)) {
            documents.put(key, document);
        }
    }

    /** Applies the changes of a committed transaction; null = deleted. Outcomes are not kept. */
    public void apply(Map<String, ObjectNode> changes) {
        changes.forEach((key, document) -> {
            if (!keys.isCached(key)) {
                return;
            }
            if (document == null) {
                documents.remove(key);
            } else {
                documents.put(key, document);
            }
        });
    }

    public int size() {
        return documents.size();
    }
}
