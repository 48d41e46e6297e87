package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** An attached NVMe-oF controller (the host side of bdev_nvme_attach_controller) and its namespace bdevs. */
final class NvmeController {
    final String name;
    final ListenAddress address;
    final String subnqn;
    final String hostnqn;
    final int cntlid;
    final String serialNumber;
    final String modelNumber;
    final PeerClient peer;
    final List<Bdev> namespaceBdevs = new ArrayList<>();
    final ObjectNode attachParams;

    NvmeController(String name, ListenAddress address, String subnqn, String hostnqn, int cntlid,
            String serialNumber, String modelNumber, PeerClient peer, ObjectNode attachParams) {
        this.name = name;
        this.address = address;
        this.subnqn = subnqn;
        this.hostnqn = hostnqn;
        this.cntlid = cntlid;
        this.serialNumber = serialNumber;
        this.modelNumber = modelNumber;
        this.peer = peer;
        this.attachParams = attachParams;
    }

    ObjectNode trid() {
        ObjectNode t = address.toJson();
        t.put("subnqn", subnqn);
        return t;
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        ObjectNode c = o.putArray("ctrlrs").addObject();
        c.put("state", "enabled");
        c.set("trid", trid());
        c.put("cntlid", cntlid);
        ObjectNode host = c.putObject("host");
        host.put("nqn", hostnqn);
        host.put("addr", "");
        host.put("svcid", "");
        return o;
    }

    ObjectNode driverSpecific(int nsid) {
        ObjectNode d = Json.object();
        ObjectNode n = d.putArray("nvme").addObject();
        n.set("trid", trid());
        ObjectNode cd = n.putObject("ctrlr_data");
        cd.put("cntlid", cntlid);
        cd.put("vendor_id", "0x8086");
        cd.put("model_number", modelNumber);
        cd.put("serial_number", serialNumber);
        cd.put("firmware_revision", "23.09");
        cd.put("subnqn", subnqn);
        ObjectNode oacs = cd.putObject("oacs");
        oacs.put("security", 0);
        oacs.put("format", 0);
        oacs.put("firmware", 0);
        oacs.put("ns_manage", 0);
        cd.put("multi_ctrlr", true);
        cd.put("ana_reporting", false);
        n.putObject("vs").put("nvme_version", "1.3");
        ObjectNode ns = n.putObject("ns_data");
        ns.put("id", nsid);
        ns.put("can_share", true);
        d.put("mp_policy", "active_passive");
        return d;
    }

    /** A remote namespace's first blocks, read and written over the emulators' private fabric protocol. */
    MetadataArea area(int nsid) {
        return new MetadataArea() {
            @Override
            public JsonNode read() throws IOException {
                ObjectNode req = Json.object().put("op", "read_meta").put("nsid", nsid);
                JsonNode meta = peer.call(req).get("meta");
                return meta == null || meta.isNull() ? null : meta;
            }

            @Override
            public void write(JsonNode record) throws IOException {
                ObjectNode req = Json.object().put("op", "write_meta").put("nsid", nsid);
                req.set("meta", record);
                peer.call(req);
            }
        };
    }
}
