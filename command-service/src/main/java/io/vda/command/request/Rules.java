package io.vda.command.request;

import io.vda.schema.ResourceNames;
import io.vda.schema.naming.Nqn;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The syntax and range rules of the API, each returning the rule broken (empty when fine). They mirror what SPDK and
 * the allocator need, so that a bad request is refused at once instead of being rejected later.
 */
public final class Rules {

    /** SPDK's lvstore cluster size, which disk-array sizes must be a multiple of. */
    public static final long LVSTORE_CLUSTER_BYTES = 4L << 20;
    public static final long BLOCK_BYTES = 4096;
    public static final int MIN_STRIP_CNT = 1;
    public static final int MAX_STRIP_CNT = 64;
    public static final int MIN_STRIP_SIZE_KB = 4;
    public static final int MAX_STRIP_SIZE_KB = 1024;
    public static final int MIN_CNTLR_CNT = 1;
    public static final int MAX_CNTLR_CNT = 8;
    public static final int MAX_DESCRIPTION = 1024;
    public static final int MAX_LOCATION = 256;
    public static final int MAX_HOST_NQNS = 256;
    public static final int MAX_PATH = 4096;

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    /** PCIe bus/device/function, with or without the domain: {@code 0000:01:00.0} or {@code 01:00.0}. */
    private static final Pattern PCIE_BDF = Pattern.compile("([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]");
    private static final Pattern PORT = Pattern.compile("[1-9]\\d{0,4}");

    private Rules() {
    }

    public static Optional<String> name(String name) {
        return ResourceNames.problem(name);
    }

    public static Optional<String> description(String text) {
        return text.length() > MAX_DESCRIPTION
                ? Optional.of("must be at most " + MAX_DESCRIPTION + " characters") : Optional.empty();
    }

    public static Optional<String> location(String text) {
        return text.length() > MAX_LOCATION
                ? Optional.of("must be at most " + MAX_LOCATION + " characters") : Optional.empty();
    }

    public static Optional<String> diskArraySize(long bytes) {
        if (bytes <= 0) {
            return Optional.of("must be greater than 0");
        }
        return bytes % LVSTORE_CLUSTER_BYTES == 0 ? Optional.empty()
                : Optional.of("must be a multiple of 4 MiB (4194304 bytes, the SPDK lvstore cluster size)");
    }

    public static Optional<String> physicalDiskSize(long bytes) {
        if (bytes <= 0) {
            return Optional.of("must be greater than 0");
        }
        return bytes % BLOCK_BYTES == 0 ? Optional.empty()
                : Optional.of("must be a multiple of 4096 (the block size)");
    }

    public static Optional<String> stripCnt(int n) {
        return between(n, MIN_STRIP_CNT, MAX_STRIP_CNT);
    }

    public static Optional<String> cntlrCnt(int n) {
        return between(n, MIN_CNTLR_CNT, MAX_CNTLR_CNT);
    }

    public static Optional<String> stripSizeKb(int kb) {
        if (kb < MIN_STRIP_SIZE_KB || kb > MAX_STRIP_SIZE_KB || Integer.bitCount(kb) != 1) {
            return Optional.of("must be a power of two from " + MIN_STRIP_SIZE_KB + " to " + MAX_STRIP_SIZE_KB
                    + " (SPDK raid0 strip size in KiB)");
        }
        return Optional.empty();
    }

    public static Optional<String> qosLimit(long value) {
        return value < 0 ? Optional.of("must be 0 (unlimited) or more") : Optional.empty();
    }

    public static Optional<String> nqn(String nqn) {
        return Nqn.problem(nqn);
    }

    public static Optional<String> absolutePath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return Optional.of("must be an absolute path (starting with '/')");
        }
        if (path.length() > MAX_PATH || path.indexOf('\0') >= 0) {
            return Optional.of("must be at most " + MAX_PATH + " characters without NUL");
        }
        return Optional.empty();
    }

    public static Optional<String> pcieAddress(String address) {
        return PCIE_BDF.matcher(address).matches() ? Optional.empty()
                : Optional.of("must be a PCIe address (domain:bus:device.function), e.g. 0000:01:00.0");
    }

    public static Optional<String> trType(String trType) {
        return trType.equals("tcp") || trType.equals("rdma") ? Optional.empty() : Optional.of("must be tcp or rdma");
    }

    public static Optional<String> adrFam(String adrFam) {
        return adrFam.equals("ipv4") || adrFam.equals("ipv6") ? Optional.empty() : Optional.of("must be ipv4 or ipv6");
    }

    /** An IP literal of the address family (never a host name: no DNS lookup happens). */
    public static Optional<String> ipAddress(String address, String adrFam) {
        if ("ipv6".equals(adrFam)) {
            return isIpv6(address) ? Optional.empty() : Optional.of("must be an IPv6 address literal");
        }
        return IPV4.matcher(address).matches() ? Optional.empty()
                : Optional.of("must be an IPv4 address literal (dotted quad)");
    }

    private static boolean isIpv6(String address) {
        if (!IPV6_CHARS.matcher(address).matches() || address.indexOf(':') < 0) {
            return false;
        }
        try {
            // A string of hex digits and colons is parsed as a literal; no resolver is consulted.
            return InetAddress.getByName(address) instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public static Optional<String> port(String port) {
        if (PORT.matcher(port).matches() && Integer.parseInt(port) <= 65535) {
            return Optional.empty();
        }
        return Optional.of("must be a port number from 1 to 65535, as a string");
    }

    private static Optional<String> between(int n, int min, int max) {
        return n < min || n > max ? Optional.of("must be from " + min + " to " + max) : Optional.empty();
    }
}
