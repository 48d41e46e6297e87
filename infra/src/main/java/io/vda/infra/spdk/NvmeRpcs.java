package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bdev_nvme module, host side: attaching NVMe-oF TCP subsystems served by other emulators. */
final class NvmeRpcs {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeRpcs.class);

    private final TargetState t;

    NvmeRpcs(TargetState state) {
        this.t = state;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("bdev_nvme_attach_controller", this::attach);
        m.put("bdev_nvme_detach_controller", this::detach);
        m.put("bdev_nvme_get_controllers", this::getControllers);
    }

    private JsonNode attach(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "trtype", "traddr", "adrfam", "trsvcid", "priority", "subnqn",
                "hostnqn", "hostaddr", "hostsvcid", "prchk_reftag", "prchk_guard", "hdgst", "ddgst",
                "fabrics_connect_timeout_us", "multipath", "num_io_queues", "ctrlr_loss_timeout_sec",
                "reconnect_delay_sec", "fast_io_fail_timeout_sec", "psk", "max_bdevs");
        String name = p.requiredString("name");
        String trtype = p.requiredString("trtype");
        String traddr = p.requiredString("traddr");
        ListenAddress address = ListenAddress.normalised(trtype, p.optionalString("adrfam").orElse("IPv4"), traddr,
                p.optionalString("trsvcid").orElse("4420"));
        String subnqn = p.optionalString("subnqn").orElse("nqn.2014-08.org.nvmexpress.discovery");
        String hostnqn = p.optionalString("hostnqn").orElse("nqn.2014-08.org.nvmexpress:uuid:" + t.hostId);
        for (String b : new String[] {"prchk_reftag", "prchk_guard", "hdgst", "ddgst"}) {
            p.optionalBool(b, false);
        }
        if (t.controllers.containsKey(name)) {
            throw new RpcError(-114, "A controller named " + name + " already exists with the specified network path\n");
        }
        for (NvmeController c : t.controllers.values()) {
            if (c.address.traddr().equals(traddr) && c.address.trsvcid().equals(address.trsvcid())
                    && c.subnqn.equals(subnqn)) {
                throw RpcError.errno(17);
            }
        }
        if (!"TCP".equals(address.trtype()) || !loopback(traddr)) {
            // No PCIe or RDMA devices here, and the emulator never leaves loopback.
            throw RpcError.errno(19);
        }
        PeerClient peer;
        ObjectNode answer;
        try {
            peer = PeerClient.connect(t.nvmfAddress, address);
        } catch (IOException e) {
            LOG.info("attach {} to {}: nothing reachable ({})", name, address.endpoint(), e.toString());
            throw RpcError.errno(19);
        }
        try {
            ObjectNode hello = Json.object().put("op", "connect").put("subnqn", subnqn).put("hostnqn", hostnqn)
                    .put("hostid", t.hostId);
            answer = peer.call(hello);
        } catch (PeerClient.Rejected e) {
            peer.close();
            LOG.info("attach {} to {} {} as {} rejected: {}", name, address.endpoint(), subnqn, hostnqn,
                    e.getMessage());
            throw RpcError.invalidParams();
        } catch (IOException e) {
            peer.close();
            throw RpcError.errno(19);
        }
        t.nvmeUsed = true;
        NvmeController ctrl = new NvmeController(name, address, subnqn, hostnqn, answer.get("cntlid").asInt(),
                answer.get("serial_number").asText(), answer.get("model_number").asText(), peer,
                configParams(name, address, subnqn, hostnqn));
        t.controllers.put(name, ctrl);
        var created = Json.array();
        for (JsonNode ns : answer.get("namespaces")) {
            int nsid = ns.get("nsid").asInt();
            String uuid = ns.get("uuid").asText();
            Bdev b = new Bdev(name + "n" + nsid, uuid, Bdev.Kind.NVME, "NVMe disk", ns.get("block_size").asLong(),
                    ns.get("num_blocks").asLong(), false, ctrl.area(nsid));
            b.aliases.add(uuid);
            b.driverSpecific = () -> ctrl.driverSpecific(nsid);
            ctrl.namespaceBdevs.add(b);
            t.register(b);
            created.add(b.name);
        }
        return created;
    }

    private static boolean loopback(String traddr) {
        try {
            return InetAddress.getByName(traddr).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static ObjectNode configParams(String name, ListenAddress a, String subnqn, String hostnqn) {
        ObjectNode c = Json.object();
        c.put("name", name);
        c.put("trtype", a.trtype());
        c.put("adrfam", a.adrfam());
        c.put("traddr", a.traddr());
        c.put("trsvcid", a.trsvcid());
        c.put("subnqn", subnqn);
        c.put("prchk_reftag", false);
        c.put("prchk_guard", false);
        c.put("ctrlr_loss_timeout_sec", 0);
        c.put("reconnect_delay_sec", 0);
        c.put("fast_io_fail_timeout_sec", 0);
        c.put("hostnqn", hostnqn);
        c.put("hdgst", false);
        c.put("ddgst", false);
        return c;
    }

    private JsonNode detach(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name", "trtype", "traddr", "adrfam", "trsvcid", "subnqn", "hostaddr",
                "hostsvcid");
        NvmeController c = t.controllers.get(p.requiredString("name"));
        if (c == null) {
            throw RpcError.errno(19);
        }
        var traddr = p.optionalString("traddr");
        var subnqn = p.optionalString("subnqn");
        if ((traddr.isPresent() && !traddr.get().equals(c.address.traddr()))
                || (subnqn.isPresent() && !subnqn.get().equals(c.subnqn))
                || p.optionalString("trtype").map(x -> !x.toUpperCase(Locale.ROOT).equals(c.address.trtype()))
                        .orElse(false)) {
            throw RpcError.errno(19);
        }
        for (Bdev b : new ArrayList<>(c.namespaceBdevs)) {
            t.unregister(b);
        }
        c.peer.close();
        t.controllers.remove(c.name);
        return Json.ok();
    }

    private JsonNode getControllers(JsonNode params) throws RpcError {
        Params p = Params.bdev(params, "name");
        var out = Json.array();
        if (p.has("name")) {
            NvmeController c = t.controllers.get(p.requiredString("name"));
            if (c == null) {
                throw RpcError.errno(19);
            }
            out.add(c.toJson());
        } else {
            t.controllers.values().forEach(c -> out.add(c.toJson()));
        }
        return out;
    }
}
