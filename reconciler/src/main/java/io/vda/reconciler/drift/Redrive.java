package io.vda.reconciler.drift;

import io.vda.schema.common.NodeKind;
import java.util.List;

/** A decision to re-drive a node: its objects stuck past the bound, and why, in words. */
public record Redrive(String nodeName, NodeKind nodeKind, List<String> objectKeys, String reason) {

    public Redrive {
        objectKeys = List.copyOf(objectKeys);
    }
}
