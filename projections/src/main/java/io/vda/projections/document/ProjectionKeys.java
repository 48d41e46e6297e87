package io.vda.projections.document;

import io.vda.schema.EtcdKeys;

/**
 * The etcd keys the projection writes: the documents of {@link EtcdKeys} and the projection's own bookkeeping, which
 * EtcdKeys does not list yet, under {@code {root}/projection-state/}:
 *
 * <pre>
 * {root}/projection-state/owner                                  the single writer's lock (lease-bound)
 * {root}/projection-state/sequence                               number of the last projection transaction
 * {root}/projection-state/unattached/{document key}|{status id}  a status whose resource document does not exist yet
 * {root}/projection-state/node-failures/{node}                   the latest NodeFailed / NodeRecovered of a node
 * </pre>
 * Readers of the documents never read these keys.
 */
public final class ProjectionKeys {

    /** Status id of a node's NodeStatus, beside the {@code <node>/<objectKey>} ids of object statuses. */
    public static final String NODE_STATUS_ID = "#node-status";

    private final EtcdKeys keys;

    public ProjectionKeys(EtcdKeys keys) {
        this.keys = keys;
    }

    public EtcdKeys documents() {
        return keys;
    }

    public String statePrefix() {
        return keys.root() + "/projection-state/";
    }

    public String owner() {
        return statePrefix() + "owner";
    }

    public String sequence() {
        return statePrefix() + "sequence";
    }

    public String unattachedPrefix() {
        return statePrefix() + "unattached/";
    }

    /** Prefix of the unattached statuses of one document, e.g. {@code …/unattached/resources/disk-arrays/db1|}. */
    public String unattachedPrefix(String documentKey) {
        return unattachedPrefix() + relative(documentKey) + "|";
    }

    public String unattached(String documentKey, String statusId) {
        return unattachedPrefix(documentKey) + statusId;
    }

    public String nodeFailuresPrefix() {
        return statePrefix() + "node-failures/";
    }

    public String nodeFailure(String nodeName) {
        return nodeFailuresPrefix() + nodeName;
    }

    /** Whether a key holds something the projection keeps in memory (documents and bookkeeping, not outcomes). */
    public boolean isCached(String key) {
        return key.startsWith(keys.resourcesPrefix()) || key.startsWith(unattachedPrefix())
                || key.startsWith(nodeFailuresPrefix());
    }

    public boolean isCommandOutcome(String key) {
        return key.startsWith(keys.commandsPrefix());
    }

    private String relative(String documentKey) {
        String root = keys.root() + "/";
        if (!documentKey.startsWith(root)) {
            throw new IllegalArgumentException("not a key under " + root + ": " + documentKey);
        }
        return documentKey.substring(root.length());
    }
}
