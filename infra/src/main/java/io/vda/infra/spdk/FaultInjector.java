package io.vda.infra.spdk;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Emulator-only: makes chosen methods fail with a given error, or hang, on demand. */
final class FaultInjector {
    /** code 0 means "answer normally after the hang". remaining -1 means "until cleared". */
    record Fault(int code, String message, long hangMillis, boolean hangForever, int remaining) {
    }

    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private volatile CountDownLatch release = new CountDownLatch(1);

    void inject(String method, Fault fault) {
        faults.put(method, fault);
    }

    void clear() {
        faults.clear();
        CountDownLatch old = release;
        release = new CountDownLatch(1);
        old.countDown();
    }

    /** Applies the fault for a method, if any: hangs (outside the target lock), then maybe fails. */
    void apply(String method) throws RpcError {
        Fault f = faults.get(method);
        if (f == null) {
            return;
        }
        if (f.remaining() > 0) {
            if (f.remaining() == 1) {
                faults.remove(method, f);
            } else {
                faults.replace(method, f, new Fault(f.code(), f.message(), f.hangMillis(), f.hangForever(),
                        f.remaining() - 1));
            }
        }
        CountDownLatch latch = release;
        try {
            if (f.hangForever()) {
                latch.await();
            } else if (f.hangMillis() > 0) {
                latch.await(f.hangMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (f.code() != 0) {
            throw new RpcError(f.code(), f.message());
        }
    }
}
