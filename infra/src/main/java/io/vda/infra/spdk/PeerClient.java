package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The host side of one fabric connection to another emulator's {@link PeerServer}. */
final class PeerClient implements AutoCloseable {
    /** The remote target refused the request (unknown subsystem, host not allowed, missing namespace). */
    static final class Rejected extends IOException {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason);
        }
    }

    private static final int CONNECT_TIMEOUT_MS = 2000;
    private static final int IO_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private PeerClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    /** Connects from the emulator's own loopback address; refused when nothing listens. */
    static PeerClient connect(String localAddress, ListenAddress remote) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(localAddress, 0));
            s.connect(new InetSocketAddress(remote.traddr(), Integer.parseInt(remote.trsvcid())), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(IO_TIMEOUT_MS);
            s.setTcpNoDelay(true); // request/answer lines: Nagle + delayed ACK would add ~40 ms to each call
            return new PeerClient(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    synchronized ObjectNode call(ObjectNode request) throws IOException {
        out.write(PeerServer.line(request));
        out.flush();
        String line = in.readLine();
        if (line == null) {
            throw new IOException("fabric connection closed by the target");
        }
        JsonNode resp = Json.MAPPER.readTree(line);
        if (resp.hasNonNull("error")) {
            throw new Rejected(resp.get("error").asText());
        }
        return (ObjectNode) resp;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do: the connection is gone either way
        }
    }
}
