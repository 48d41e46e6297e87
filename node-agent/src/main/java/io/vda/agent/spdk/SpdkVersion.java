package io.vda.agent.spdk;

/** spdk_get_version. */
public record SpdkVersion(String version, Fields fields) {
    public record Fields(int major, int minor, int patch, String suffix) {
    }
}
