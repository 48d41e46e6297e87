package io.vda.projections.document;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Uncommitted changes over a {@link DocumentSource}: puts and deletes (null) by key. Workspaces stack: a record's
 * changes over its batch's, the batch's over the cache, so a record can be left out of a batch after it was applied.
 */
public final class Workspace implements DocumentSource {

    private final DocumentSource base;
    /** key → new document, or null when deleted. */
    private final TreeMap<String, ObjectNode> changes = new TreeMap<>();

    public Workspace(DocumentSource base) {
        this.base = base;
    }

    @Override
    public ObjectNode get(String key) {
        if (changes.containsKey(key)) {
            return changes.get(key);
        }
        return base.get(key);
    }

    @Override
    public NavigableMap<String, ObjectNode> withPrefix(String prefix) {
        NavigableMap<String, ObjectNode> result = base.withPrefix(prefix);
        changes.subMap(prefix, true, DocumentSource.prefixEnd(prefix), false).forEach((key, document) -> {
            if (document == null) {
                result.remove(key);
            } else {
                result.put(key, document);
            }
        });
        return result;
    }

    /** Stores a document; the caller must not modify it afterwards. */
    public void put(String key, ObjectNode document) {
        changes.put(key, document);
    }

    public void delete(String key) {
        changes.put(key, null);
    }

    /** The changes, in key order; null values are deletions. */
    public SortedMap<String, ObjectNode> changes() {
        return Collections.unmodifiableSortedMap(changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Takes over another workspace's changes (computed over this one's content), later ones winning. */
    public void absorb(Map<String, ObjectNode> newer) {
        changes.putAll(newer);
    }
}
