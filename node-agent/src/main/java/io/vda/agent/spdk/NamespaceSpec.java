package io.vda.agent.spdk;

/** What nvmf_subsystem_add_ns takes; null nsid, uuid or nguid let SPDK choose (uuid = the bdev's). */
public record NamespaceSpec(String bdevName, Integer nsid, String uuid, String nguid) {

    public static NamespaceSpec of(String bdevName) {
        return new NamespaceSpec(bdevName, null, null, null);
    }

    public NamespaceSpec withUuid(String u) {
        return new NamespaceSpec(bdevName, nsid, u, nguid);
    }

    public NamespaceSpec withNsid(int n) {
        return new NamespaceSpec(bdevName, n, uuid, nguid);
    }
}
