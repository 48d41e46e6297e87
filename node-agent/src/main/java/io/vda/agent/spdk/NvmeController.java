package io.vda.agent.spdk;

import java.util.List;

/** One entry of bdev_nvme_get_controllers. */
public record NvmeController(String name, List<Path> ctrlrs) {

    /** One path (one controller) of a possibly multipath NVMe bdev controller. */
    public record Path(String state, TransportId trid, int cntlid, Host host) {
    }

    public record TransportId(String trtype, String adrfam, String traddr, String trsvcid, String subnqn) {
    }

    public record Host(String nqn, String addr, String svcid) {
    }
}
