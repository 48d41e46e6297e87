package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The nvmf target: transports, subsystems, namespaces, listeners (real loopback ports), hosts, ANA. */
final class NvmfRpcs {
    private static final Logger LOG = LoggerFactory.getLogger(NvmfRpcs.class);
    private static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    private static final String UUID_NQN_PREFIX = "nqn.2014-08.org.nvmexpress:uuid:";
    private static final Pattern DOMAIN_NQN = Pattern.compile("nqn\\.[0-9]{4}-[0-9]{2}\\.[A-Za-z0-9][^:]*(:.+)?");
    private static final Set<String> ANA_STATES = Set.of("optimized", "non_optimized", "inaccessible");
    private static final String[] TRANSPORT_OPTIONS = {"max_queue_depth", "max_io_qpairs_per_ctrlr",
        "in_capsule_data_size", "max_io_size", "io_unit_size", "max_aq_depth", "num_shared_buffers",
        "buf_cache_size", "dif_insert_or_strip", "zcopy", "c2h_success", "sock_priority", "abort_timeout_sec"};

    private final TargetState t;

    NvmfRpcs(TargetState state) {
        this.t = state;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("nvmf_create_transport", this::createTransport);
        m.put("nvmf_get_transports", this::getTransports);
        m.put("nvmf_create_subsystem", this::createSubsystem);
        m.put("nvmf_delete_subsystem", this::deleteSubsystem);
        m.put("nvmf_get_subsystems", this::getSubsystems);
        m.put("nvmf_subsystem_add_ns", this::addNs);
        m.put("nvmf_subsystem_remove_ns", this::removeNs);
        m.put("nvmf_subsystem_add_listener", this::addListener);
        m.put("nvmf_subsystem_remove_listener", this::removeListener);
        m.put("nvmf_subsystem_add_host", this::addHost);
        m.put("nvmf_subsystem_remove_host", this::removeHost);
        m.put("nvmf_subsystem_allow_any_host", this::allowAnyHost);
        m.put("nvmf_subsystem_listener_set_ana_state", this::setAnaState);
        m.put("nvmf_subsystem_get_controllers", this::getControllers);
        m.put("nvmf_subsystem_get_qpairs", this::getQpairs);
        m.put("nvmf_subsystem_get_listeners", this::getListeners);
    }

    static boolean validNqn(String nqn) {
        if (nqn.length() > 223) {
            return false;
        }
        if (nqn.startsWith(UUID_NQN_PREFIX)) {
            return Uuids.valid(nqn.substring(UUID_NQN_PREFIX.length()));
        }
        return DOMAIN_NQN.matcher(nqn).matches();
    }

    private JsonNode createTransport(JsonNode params) throws RpcError {
        String[] allowed = new String[TRANSPORT_OPTIONS.length + 2];
        allowed[0] = "trtype";
        allowed[1] = "tgt_name";
        System.arraycopy(TRANSPORT_OPTIONS, 0, allowed, 2, TRANSPORT_OPTIONS.length);
        Params p = Params.nvmf(params, allowed);
        String trtype = p.requiredString("trtype").toUpperCase(Locale.ROOT);
        if (t.transports.containsKey(trtype)) {
            throw new RpcError(RpcError.INTERNAL_ERROR, "Transport type '" + trtype + "' already exists");
        }
        if (!trtype.equals("TCP")) {
            // Only the TCP transport exists here (no RDMA hardware).
            throw RpcError.invalidParams();
        }
        ObjectNode o = Json.object();
        o.put("trtype", trtype);
        o.put("max_queue_depth", p.optionalLong("max_queue_depth", 128));
        o.put("max_io_qpairs_per_ctrlr", p.optionalLong("max_io_qpairs_per_ctrlr", 127));
        o.put("in_capsule_data_size", p.optionalLong("in_capsule_data_size", 4096));
        o.put("max_io_size", p.optionalLong("max_io_size", 131072));
        o.put("io_unit_size", p.optionalLong("io_unit_size", 131072));
        o.put("max_aq_depth", p.optionalLong("max_aq_depth", 128));
        o.put("num_shared_buffers", p.optionalLong("num_shared_buffers", 511));
        o.put("buf_cache_size", p.optionalLong("buf_cache_size", 4294967295L));
        o.put("dif_insert_or_strip", p.optionalBool("dif_insert_or_strip", false));
        o.put("zcopy", p.optionalBool("zcopy", false));
        o.put("c2h_success", p.optionalBool("c2h_success", true));
        o.put("sock_priority", p.optionalLong("sock_priority", 0));
        o.put("abort_timeout_sec", p.optionalLong("abort_timeout_sec", 1));
        t.transports.put(trtype, o);
        return Json.ok();
    }

    private JsonNode getTransports(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "trtype", "tgt_name");
        var out = Json.array();
        var only = p.optionalString("trtype").map(s -> s.toUpperCase(Locale.ROOT));
        if (only.isPresent() && !t.transports.containsKey(only.get())) {
            throw RpcError.errno(19);
        }
        t.transports.forEach((k, v) -> {
            if (only.isEmpty() || only.get().equals(k)) {
                out.add(v.deepCopy());
            }
        });
        return out;
    }

    private JsonNode createSubsystem(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "serial_number", "model_number", "allow_any_host", "max_namespaces",
                "tgt_name", "ana_reporting", "min_cntlid", "max_cntlid");
        String nqn = p.requiredString("nqn");
        String serial = p.optionalString("serial_number").orElse("00000000000000000000");
        String model = p.optionalString("model_number").orElse("SPDK bdev Controller");
        boolean anyHost = p.optionalBool("allow_any_host", false);
        long maxNs = p.optionalLong("max_namespaces", 32);
        boolean ana = p.optionalBool("ana_reporting", false);
        long minCntlid = p.optionalLong("min_cntlid", 1);
        long maxCntlid = p.optionalLong("max_cntlid", 65519);
        if (serial.length() > 20 || !printable(serial)) {
            throw new RpcError(RpcError.INVALID_PARAMS, "Invalid SN " + serial);
        }
        if (model.length() > 40 || !printable(model)) {
            throw new RpcError(RpcError.INVALID_PARAMS, "Invalid MN " + model);
        }
        if (minCntlid < 1 || maxCntlid > 65519 || minCntlid > maxCntlid) {
            throw RpcError.invalidParams();
        }
        if (!validNqn(nqn) || nqn.equals(DISCOVERY_NQN) || t.subsystems.containsKey(nqn)
                || t.subsystems.size() >= t.maxSubsystems) {
            throw new RpcError(RpcError.INTERNAL_ERROR, "Unable to create subsystem " + nqn);
        }
        t.subsystems.put(nqn, new Subsystem(nqn, serial, model, anyHost, (int) (maxNs == 0 ? 32 : maxNs),
                (int) minCntlid, (int) maxCntlid, ana));
        return Json.ok();
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }

    private Subsystem subsystemOrInvalid(Params p) throws RpcError {
        Subsystem s = t.subsystems.get(p.requiredString("nqn"));
        if (s == null) {
            throw RpcError.invalidParams();
        }
        return s;
    }

    private JsonNode deleteSubsystem(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "tgt_name");
        Subsystem s = subsystemOrInvalid(p);
        for (Subsystem.Namespace ns : s.namespaces.values()) {
            ns.bdev().release();
        }
        for (ListenAddress l : new ArrayList<>(s.listeners)) {
            dropListener(s, l);
        }
        new ArrayList<>(s.controllers).forEach(PeerServer.Session::disconnect);
        t.subsystems.remove(s.nqn);
        return Json.ok();
    }

    private JsonNode getSubsystems(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "tgt_name");
        var out = Json.array();
        if (p.has("nqn")) {
            Subsystem s = t.subsystems.get(p.requiredString("nqn"));
            if (s == null) {
                throw RpcError.errno(19);
            }
            out.add(s.toJson());
            return out;
        }
        out.add(Subsystem.discoveryJson());
        t.subsystems.values().forEach(s -> out.add(s.toJson()));
        return out;
    }

    private JsonNode addNs(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "namespace", "tgt_name");
        Params ns = Params.nvmf(p.requiredObject("namespace"), "nsid", "bdev_name", "ptpl_file", "nguid", "eui64",
                "uuid", "anagrpid", "no_auto_visible");
        String bdevName = ns.requiredString("bdev_name");
        long nsid = ns.optionalLong("nsid", 0);
        var nguid = ns.optionalString("nguid");
        var uuid = ns.optionalString("uuid");
        var eui64 = ns.optionalString("eui64");
        long anagrpid = ns.optionalLong("anagrpid", 0);
        Subsystem s = subsystemOrInvalid(p);
        Bdev b = t.findBdev(bdevName);
        if (b == null || b.claim != Bdev.Claim.NONE || nsid > s.maxNamespaces || s.namespaces.containsKey((int) nsid)
                || s.namespaces.size() >= s.maxNamespaces || (uuid.isPresent() && !Uuids.valid(uuid.get()))
                || (nguid.isPresent() && !Uuids.validNguid(nguid.get()))) {
            throw RpcError.invalidParams();
        }
        int id = (int) nsid;
        if (id == 0) {
            id = 1;
            while (s.namespaces.containsKey(id)) {
                id++;
            }
        }
        String nsUuid = uuid.orElse(b.uuid);
        String nsNguid = nguid.map(g -> g.replace("-", "").toUpperCase(Locale.ROOT)).orElse(Uuids.nguidOf(nsUuid));
        b.claim(Bdev.Claim.EXCLUSIVE_WRITE, s);
        s.namespaces.put(id, new Subsystem.Namespace(id, b, nsNguid, nsUuid, eui64.orElse(null),
                (int) (anagrpid == 0 ? id : anagrpid)));
        return Json.MAPPER.getNodeFactory().numberNode(id);
    }

    private JsonNode removeNs(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "nsid", "tgt_name");
        long nsid = p.requiredLong("nsid");
        Subsystem s = subsystemOrInvalid(p);
        Subsystem.Namespace ns = s.namespaces.remove((int) nsid);
        if (ns == null) {
            throw RpcError.invalidParams();
        }
        ns.bdev().release();
        return Json.ok();
    }

    private ListenAddress listenAddress(Params p) throws RpcError {
        Params a = Params.nvmf(p.requiredObject("listen_address"), "trtype", "adrfam", "traddr", "trsvcid");
        return ListenAddress.normalised(a.requiredString("trtype"), a.optionalString("adrfam").orElse("IPv4"),
                a.requiredString("traddr"), a.optionalString("trsvcid").orElse(""));
    }

    private JsonNode addListener(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "listen_address", "tgt_name", "secure_channel");
        ListenAddress address = listenAddress(p);
        p.optionalBool("secure_channel", false);
        Subsystem s = subsystemOrInvalid(p);
        if (!t.transports.containsKey(address.trtype()) || !loopback(address.traddr())
                || !address.trsvcid().matches("[0-9]{1,5}")) {
            throw RpcError.invalidParams();
        }
        if (s.listeners.contains(address)) {
            return Json.ok();
        }
        PeerServer server = t.listeners.get(address.endpoint());
        if (server == null) {
            try {
                server = PeerServer.bind(address, t);
            } catch (IOException e) {
                LOG.info("listener {} for {} unavailable: {}", address.endpoint(), s.nqn, e.toString());
                throw RpcError.invalidParams();
            }
            t.listeners.put(address.endpoint(), server);
        }
        server.references++;
        s.listeners.add(address);
        s.anaStates.put(address, "optimized");
        return Json.ok();
    }

    private static boolean loopback(String traddr) {
        try {
            return InetAddress.getByName(traddr).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private void dropListener(Subsystem s, ListenAddress address) {
        s.listeners.remove(address);
        s.anaStates.remove(address);
        new ArrayList<>(s.controllers).stream().filter(c -> c.address.equals(address))
                .forEach(PeerServer.Session::disconnect);
        PeerServer server = t.listeners.get(address.endpoint());
        if (server != null && --server.references <= 0) {
            server.close();
            t.listeners.remove(address.endpoint());
        }
    }

    private JsonNode removeListener(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "listen_address", "tgt_name");
        ListenAddress address = listenAddress(p);
        Subsystem s = subsystemOrInvalid(p);
        if (!s.listeners.contains(address)) {
            throw RpcError.invalidParams();
        }
        dropListener(s, address);
        return Json.ok();
    }

    private JsonNode addHost(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "host", "tgt_name", "psk");
        String host = p.requiredString("host");
        Subsystem s = subsystemOrInvalid(p);
        if (!validNqn(host)) {
            throw RpcError.internal();
        }
        s.hosts.add(host);
        return Json.ok();
    }

    private JsonNode removeHost(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "host", "tgt_name");
        String host = p.requiredString("host");
        Subsystem s = subsystemOrInvalid(p);
        if (!s.hosts.remove(host)) {
            throw RpcError.internal();
        }
        // SPDK disconnects the removed host's controllers: the fence takes effect at once.
        new ArrayList<>(s.controllers).stream().filter(c -> host.equals(c.hostnqn) && !s.allows(host))
                .forEach(PeerServer.Session::disconnect);
        return Json.ok();
    }

    private JsonNode allowAnyHost(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "allow_any_host", "tgt_name");
        boolean allow = p.optionalBool("allow_any_host", false);
        Subsystem s = subsystemOrInvalid(p);
        s.allowAnyHost = allow;
        return Json.ok();
    }

    private JsonNode setAnaState(JsonNode params) throws RpcError {
        Params p = Params.nvmf(params, "nqn", "listen_address", "ana_state", "anagrpid", "tgt_name");
        ListenAddress address = listenAddress(p);
        String state = p.requiredString("ana_state");
        p.optionalLong("anagrpid", 0);
        Subsystem s = subsystemOrInvalid(p);
        if (!ANA_STATES.contains(state)) {
            throw RpcError.invalidParams();
        }
        if (!s.anaReporting || !s.listeners.contains(address)) {
            throw RpcError.internal();
        }
        s.anaStates.put(address, state);
        return Json.ok();
    }

    private Subsystem subsystemOrNoDevice(Params p) throws RpcError {
        Subsystem s = t.subsystems.get(p.requiredString("nqn"));
        if (s == null) {
            throw RpcError.errno(19);
        }
        return s;
    }

    private JsonNode getControllers(JsonNode params) throws RpcError {
        Subsystem s = subsystemOrNoDevice(Params.nvmf(params, "nqn", "tgt_name"));
        var out = Json.array();
        for (PeerServer.Session c : s.controllers) {
            ObjectNode o = out.addObject();
            o.put("cntlid", c.cntlid);
            o.put("hostnqn", c.hostnqn);
            o.put("hostid", c.hostid);
            o.put("num_io_qpairs", 3);
        }
        return out;
    }

    private JsonNode getQpairs(JsonNode params) throws RpcError {
        Subsystem s = subsystemOrNoDevice(Params.nvmf(params, "nqn", "tgt_name"));
        var out = Json.array();
        for (PeerServer.Session c : s.controllers) {
            for (int qid = 0; qid < 3; qid++) {
                ObjectNode o = out.addObject();
                o.put("cntlid", c.cntlid);
                o.put("qid", qid);
                o.put("state", "active");
                o.set("listen_address", c.address.toJson());
            }
        }
        return out;
    }

    private JsonNode getListeners(JsonNode params) throws RpcError {
        Subsystem s = subsystemOrNoDevice(Params.nvmf(params, "nqn", "tgt_name"));
        var out = Json.array();
        for (ListenAddress l : s.listeners) {
            ObjectNode o = out.addObject();
            o.set("address", l.toJson());
            if (s.anaReporting) {
                ObjectNode st = o.putArray("ana_states").addObject();
                st.put("ana_group", 1);
                st.put("ana_state", s.anaStates.get(l));
            }
        }
        return out;
    }

    /** nvmf_* entries of framework_get_config, in the order SPDK writes them. */
    JsonNode config() {
        var out = Json.array();
        ObjectNode setConfig = out.addObject().put("method", "nvmf_set_config");
        ObjectNode sc = setConfig.putObject("params");
        sc.put("discovery_filter", "match_any");
        sc.putObject("admin_cmd_passthru").put("identify_ctrlr", false);
        out.addObject().put("method", "nvmf_set_max_subsystems").putObject("params")
                .put("max_subsystems", t.maxSubsystems);
        ObjectNode crdt = out.addObject().put("method", "nvmf_set_crdt").putObject("params");
        crdt.put("crdt1", 0);
        crdt.put("crdt2", 0);
        crdt.put("crdt3", 0);
        for (ObjectNode tr : t.transports.values()) {
            out.addObject().put("method", "nvmf_create_transport").set("params", tr.deepCopy());
        }
        for (Subsystem s : t.subsystems.values()) {
            ObjectNode c = out.addObject().put("method", "nvmf_create_subsystem").putObject("params");
            c.put("nqn", s.nqn);
            c.put("allow_any_host", s.allowAnyHost);
            c.put("serial_number", s.serialNumber);
            c.put("model_number", s.modelNumber);
            c.put("max_namespaces", s.maxNamespaces);
            c.put("min_cntlid", s.minCntlid);
            c.put("max_cntlid", s.maxCntlid);
            c.put("ana_reporting", s.anaReporting);
            for (String h : s.hosts) {
                ObjectNode hp = out.addObject().put("method", "nvmf_subsystem_add_host").putObject("params");
                hp.put("nqn", s.nqn);
                hp.put("host", h);
            }
            for (Subsystem.Namespace ns : s.namespaces.values()) {
                ObjectNode np = out.addObject().put("method", "nvmf_subsystem_add_ns").putObject("params");
                np.put("nqn", s.nqn);
                ObjectNode n = np.putObject("namespace");
                n.put("nsid", ns.nsid());
                n.put("bdev_name", ns.bdev().name);
                n.put("nguid", ns.nguid());
                n.put("uuid", ns.uuid());
            }
            for (ListenAddress l : s.listeners) {
                ObjectNode lp = out.addObject().put("method", "nvmf_subsystem_add_listener").putObject("params");
                lp.put("nqn", s.nqn);
                lp.set("listen_address", l.toJson());
                lp.put("secure_channel", false);
            }
        }
        return out;
    }
}
