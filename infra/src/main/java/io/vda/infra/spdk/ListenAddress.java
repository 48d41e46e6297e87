package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** An NVMe-oF transport address; trsvcid is a string, as on the wire. */
record ListenAddress(String trtype, String adrfam, String traddr, String trsvcid) {

    /** Normalises case the way SPDK prints it ("TCP", "IPv4"). */
    static ListenAddress normalised(String trtype, String adrfam, String traddr, String trsvcid) {
        String fam = adrfam == null ? "IPv4" : switch (adrfam.toLowerCase(Locale.ROOT)) {
            case "ipv4" -> "IPv4";
            case "ipv6" -> "IPv6";
            case "ib" -> "IB";
            case "fc" -> "FC";
            default -> adrfam;
        };
        return new ListenAddress(trtype.toUpperCase(Locale.ROOT), fam, traddr, trsvcid);
    }

    String endpoint() {
        return traddr + ":" + trsvcid;
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("trtype", trtype);
        o.put("adrfam", adrfam);
        o.put("traddr", traddr);
        o.put("trsvcid", trsvcid);
        return o;
    }
}
