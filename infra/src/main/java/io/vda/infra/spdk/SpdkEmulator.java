package io.vda.infra.spdk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One emulated SPDK v23.09 target: JSON-RPC on a Unix socket, bdevs, lvol stores, raid, NVMe-oF target and
 * host sides, with real loopback TCP listeners between emulators. Usable in-process (tests) or through
 * {@link SpdkEmulatorMain} (one process per node).
 */
public final class SpdkEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpdkEmulator.class);

    private final SpdkEmulatorConfig config;
    private final TargetState state;
    private final FaultInjector faults = new FaultInjector();
    private final JsonRpcServer server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean killRequested;

    private SpdkEmulator(SpdkEmulatorConfig config) throws IOException {
        this.config = config;
        this.state = new TargetState(config.nvmfAddress(), config.autoExamine());
        CallLog callLog = new CallLog();
        RpcDispatcher dispatcher = new RpcDispatcher(state, faults, callLog);
        NvmfRpcs nvmf = new NvmfRpcs(state);
        new FrameworkRpcs(state, FrameworkRpcs.MethodList.load(), nvmf, () -> killRequested = true)
                .register(dispatcher.handlers());
        new BdevRpcs(state, config.autoExamine()).register(dispatcher.handlers());
        new LvolRpcs(state).register(dispatcher.handlers());
        new RaidRpcs(state).register(dispatcher.handlers());
        new NvmeRpcs(state).register(dispatcher.handlers());
        nvmf.register(dispatcher.handlers());
        new EmulatorRpcs(state, faults, callLog, config.socketPath().toString()).register(dispatcher.handlers());
        this.server = new JsonRpcServer(config.socketPath(), dispatcher, this::afterReply);
    }

    public static SpdkEmulator start(SpdkEmulatorConfig config) throws IOException {
        SpdkEmulator e = new SpdkEmulator(config);
        LOG.info("SPDK emulator (v23.09) listening on {} (nvmf address {})", config.socketPath(),
                config.nvmfAddress());
        return e;
    }

    public Path socketPath() {
        return config.socketPath();
    }

    /** Blocks until spdk_kill_instance or {@link #close()}. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    private void afterReply() {
        if (killRequested) {
            close();
        }
    }

    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        server.close();
        faults.clear(); // release hung requests: their answers go nowhere now
        state.lock.lock();
        try {
            state.shutdown();
        } finally {
            state.lock.unlock();
        }
        stopped.countDown();
        LOG.info("SPDK emulator on {} stopped", config.socketPath());
    }
}
