package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real TCP listener on a loopback NVMe-oF listen address. It speaks the emulators' private fabric protocol
 * (one JSON object per line: connect, read_meta, write_meta) so that another emulator process can resolve a
 * subsystem, be checked against its host allowlist, and read or write a namespace's first blocks.
 */
final class PeerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);

    /** What the target does with the requests of one connection. */
    interface Handler {
        ObjectNode handle(Session session, ObjectNode request);

        void closed(Session session);
    }

    /** One connected host controller. */
    static final class Session {
        final ListenAddress address;
        String subnqn;
        String hostnqn;
        String hostid;
        int cntlid;
        private final Socket socket;

        Session(ListenAddress address, Socket socket) {
            this.address = address;
            this.socket = socket;
        }

        void disconnect() {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing session of {}: {}", hostnqn, e.toString());
            }
        }
    }

    final ListenAddress address;
    private final ServerSocket server;
    private final Handler handler;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    int references;

    private PeerServer(ListenAddress address, ServerSocket server, Handler handler) {
        this.address = address;
        this.server = server;
        this.handler = handler;
    }

    static PeerServer bind(ListenAddress address, Handler handler) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(address.traddr(), Integer.parseInt(address.trsvcid())), 64);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
        PeerServer p = new PeerServer(address, s, handler);
        Thread t = new Thread(p::acceptLoop, "nvmf-listener-" + address.endpoint());
        t.setDaemon(true);
        t.start();
        return p;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true); // one small line per answer: Nagle + delayed ACK would add ~40 ms to each
                Session session = new Session(address, s);
                sessions.add(session);
                Thread t = new Thread(() -> serve(session), "nvmf-qpair-" + address.endpoint());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("listener {} accept failed: {}", address.endpoint(), e.toString());
                }
            }
        }
    }

    private void serve(Session session) {
        try (Socket s = session.socket;
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream()) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode req = Json.MAPPER.readTree(line);
                ObjectNode resp = req instanceof ObjectNode o ? handler.handle(session, o)
                        : Json.object().put("error", "bad request");
                out.write(line(resp));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("session on {} ended: {}", address.endpoint(), e.toString());
        } finally {
            sessions.remove(session);
            handler.closed(session);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing listener {}: {}", address.endpoint(), e.toString());
        }
        sessions.forEach(Session::disconnect);
    }

    /** One JSON object and its newline in one buffer, so that it leaves in one segment. */
    static byte[] line(JsonNode message) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(message);
        byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }
}
