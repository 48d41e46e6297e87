package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A bare Unix-socket connection for wire-level tests: raw bytes out, lines or silence in. */
final class RawRpcConnection implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream buffered = new ByteArrayOutputStream();
    private boolean eof;

    private RawRpcConnection(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static RawRpcConnection open(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return new RawRpcConnection(c);
    }

    void send(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    JsonNode call(String request) throws IOException {
        send(request);
        return MAPPER.readTree(readLine());
    }

    /** Waits up to 30 s for one newline-terminated answer. */
    String readLine() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            byte[] data = buffered.toByteArray();
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    buffered.reset();
                    buffered.write(data, i + 1, data.length - i - 1);
                    return new String(data, 0, i, StandardCharsets.UTF_8);
                }
            }
            long left = deadline - System.nanoTime();
            if (eof || left <= 0) {
                throw new IOException("no answer line (eof=" + eof + "), got: " + new String(data,
                        StandardCharsets.UTF_8));
            }
            pump(Math.max(1, left / 1_000_000));
        }
    }

    /** Reads whatever arrives until the line has been quiet for {@code quiet}. */
    String readQuietly(Duration quiet) throws IOException {
        while (!eof && pump(quiet.toMillis()) > 0) {
            // keep reading while bytes arrive
        }
        String s = buffered.toString(StandardCharsets.UTF_8);
        buffered.reset();
        return s;
    }

    boolean awaitClosed(Duration max) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!eof && System.nanoTime() < deadline) {
            pump(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return eof;
    }

    boolean closedByPeer() {
        return eof;
    }

    private int pump(long timeoutMs) throws IOException {
        selector.select(timeoutMs);
        selector.selectedKeys().clear();
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        int n;
        int total = 0;
        while ((n = channel.read(b)) > 0) {
            buffered.write(b.array(), 0, n);
            total += n;
            b.clear();
        }
        if (n < 0) {
            eof = true;
        }
        return total;
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            // closing is best effort in tests
        }
    }
}
