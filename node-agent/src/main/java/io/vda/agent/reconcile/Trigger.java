package io.vda.agent.reconcile;

/** Why a reconcile pass runs. */
public enum Trigger {
    /** The desired state changed. */
    EVENT,
    /** The period elapsed: repairs drift made behind the agent's back. */
    TIMER,
    /** The first pass, once the node topic has been read to its end. */
    STARTUP
}
