package io.vda.agent.reconcile;

import io.vda.agent.spdk.ListenAddress;

/** Who this agent is: the node, its role and its NVMe-oF listener. */
public record NodeContext(String nodeName, NodeRole role, ListenAddress listener) {

    public enum NodeRole {
        DISK, CONTROLLER
    }
}
