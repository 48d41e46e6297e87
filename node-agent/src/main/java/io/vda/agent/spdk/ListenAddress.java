package io.vda.agent.spdk;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An NVMe-oF transport address; trsvcid is a string on SPDK's wire. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListenAddress(String trtype, String adrfam, String traddr, String trsvcid) {

    public static ListenAddress tcp(String address, int port) {
        return new ListenAddress("TCP", "IPv4", address, Integer.toString(port));
    }
}
