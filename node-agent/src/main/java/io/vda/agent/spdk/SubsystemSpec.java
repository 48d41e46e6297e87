package io.vda.agent.spdk;

/** What nvmf_create_subsystem takes. Serial numbers are at most 20 characters, models 40. */
public record SubsystemSpec(String nqn, String serialNumber, String modelNumber, boolean allowAnyHost,
        Integer maxNamespaces, boolean anaReporting) {

    public static SubsystemSpec of(String nqn, String serialNumber, String modelNumber) {
        return new SubsystemSpec(nqn, serialNumber, modelNumber, false, null, false);
    }

    public SubsystemSpec withAnaReporting() {
        return new SubsystemSpec(nqn, serialNumber, modelNumber, allowAnyHost, maxNamespaces, true);
    }
}
