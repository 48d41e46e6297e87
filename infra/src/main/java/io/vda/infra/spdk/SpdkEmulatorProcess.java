package io.vda.infra.spdk;

import io.vda.infra.process.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An emulated SPDK node in its own JVM, started from the current classpath (tests use the test classpath),
 * as {@code infra/bin/spdk-emulator} would start it. {@link #kill()} is the node dying.
 */
public final class SpdkEmulatorProcess implements AutoCloseable {
    private final Process process;
    private final Path socketPath;

    private SpdkEmulatorProcess(Process process, Path socketPath) {
        this.process = process;
        this.socketPath = socketPath;
    }

    /** JVM options for short-lived test nodes: small heap, quick start. */
    public static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx96m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /** Starts the process and waits (at most {@code readyWithin}) for its "ready" line. */
    public static SpdkEmulatorProcess start(Path socketPath, String nvmfAddress, Path logFile, Duration readyWithin)
            throws IOException {
        return start(socketPath, nvmfAddress, logFile, readyWithin, TEST_JVM_OPTIONS);
    }

    public static SpdkEmulatorProcess start(Path socketPath, String nvmfAddress, Path logFile, Duration readyWithin,
            List<String> jvmOptions) throws IOException {
        List<String> cmd = ChildProcess.javaCommand(jvmOptions, SpdkEmulatorMain.class.getName(),
                List.of("--socket", socketPath.toString(), "--nvmf-addr", nvmfAddress));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("spdk-emulator ready")) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            if (ready.get(readyWithin.toMillis(), TimeUnit.MILLISECONDS) == null) {
                throw new IOException("spdk emulator exited before it was ready; see " + logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("spdk emulator not ready within " + readyWithin + "; see " + logFile, e);
        }
        return new SpdkEmulatorProcess(p, socketPath);
    }

    public Path socketPath() {
        return socketPath;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the node dies without a word. */
    public void kill() {
        ChildProcess.kill(process);
    }

    @Override
    public void close() {
        ChildProcess.stop("spdk-emulator " + socketPath, process, Duration.ofSeconds(5));
    }
}
