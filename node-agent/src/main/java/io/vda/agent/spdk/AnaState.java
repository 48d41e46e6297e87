package io.vda.agent.spdk;

/** nvmf_subsystem_listener_set_ana_state's states, as SPDK spells them. */
public enum AnaState {
    OPTIMIZED("optimized"), NON_OPTIMIZED("non_optimized"), INACCESSIBLE("inaccessible");

    private final String wire;

    AnaState(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
