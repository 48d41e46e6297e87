package io.vda.agent.spdk;

/** One entry of nvmf_get_transports (the options the agent cares about). */
public record NvmfTransport(String trtype, int maxQueueDepth, int maxIoQpairsPerCtrlr, long inCapsuleDataSize,
        long maxIoSize, long ioUnitSize) {
}
