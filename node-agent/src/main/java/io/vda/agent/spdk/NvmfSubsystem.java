package io.vda.agent.spdk;

import java.util.List;

/** One entry of nvmf_get_subsystems (the discovery subsystem has no serial, model or namespaces). */
public record NvmfSubsystem(String nqn, String subtype, List<Listener> listenAddresses, boolean allowAnyHost,
        List<Host> hosts, String serialNumber, String modelNumber, Integer maxNamespaces,
        List<Namespace> namespaces) {

    public record Listener(String transport, String trtype, String adrfam, String traddr, String trsvcid) {
        public ListenAddress address() {
            return new ListenAddress(trtype, adrfam, traddr, trsvcid);
        }
    }

    public record Host(String nqn) {
    }

    /** bdevName is the bdev's real name (an lvol's uuid), whatever alias it was added by. */
    public record Namespace(int nsid, String bdevName, String name, String nguid, String uuid) {
    }

    public List<String> hostNqns() {
        return hosts == null ? List.of() : hosts.stream().map(Host::nqn).toList();
    }
}
