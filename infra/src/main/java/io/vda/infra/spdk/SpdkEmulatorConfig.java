package io.vda.infra.spdk;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one emulated SPDK target.
 *
 * @param socketPath  the JSON-RPC Unix socket (SPDK's {@code -r})
 * @param nvmfAddress the loopback address this node's fabric connections originate from (127.0.0.0/8 only)
 * @param autoExamine SPDK's bdev_auto_examine; when false, lvstores are found only by bdev_examine
 */
public record SpdkEmulatorConfig(Path socketPath, String nvmfAddress, boolean autoExamine) {

    public SpdkEmulatorConfig {
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(nvmfAddress, "nvmfAddress");
        try {
            if (!InetAddress.getByName(nvmfAddress).isLoopbackAddress()) {
                throw new IllegalArgumentException("the emulator only uses loopback addresses: " + nvmfAddress);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + nvmfAddress, e);
        }
    }

    public static SpdkEmulatorConfig onSocket(Path socketPath) {
        return new SpdkEmulatorConfig(socketPath, "127.0.0.1", true);
    }

    /** Parses {@code --socket PATH [--nvmf-addr 127.0.0.x] [--no-auto-examine]}. */
    public static SpdkEmulatorConfig fromArgs(String[] args) {
        Path socket = null;
        String addr = "127.0.0.1";
        boolean examine = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--socket", "-r" -> socket = Path.of(value(args, ++i));
                case "--nvmf-addr" -> addr = value(args, ++i);
                case "--no-auto-examine" -> examine = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: spdk-emulator --socket PATH [--nvmf-addr 127.0.0.1] [--no-auto-examine]");
            }
        }
        if (socket == null) {
            throw new IllegalArgumentException("--socket PATH is required");
        }
        return new SpdkEmulatorConfig(socket, addr, examine);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
