package io.vda.agent.spdk;

/** What bdev_nvme_attach_controller takes for an NVMe-oF TCP path; the bdevs are named {@code <name>n<nsid>}. */
public record AttachControllerRequest(String name, ListenAddress address, String subnqn, String hostnqn) {

    public static AttachControllerRequest tcp(String name, ListenAddress address, String subnqn, String hostnqn) {
        return new AttachControllerRequest(name, address, subnqn, hostnqn);
    }
}
