package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** App framework methods: version, method list, init state, kill, and framework_get_config. */
final class FrameworkRpcs {
    /** v23.09's method list in its own order, and which of them are startup-only. */
    record MethodList(List<String> all, List<String> startupOnly) {
        static MethodList load() {
            List<String> all = new ArrayList<>();
            List<String> startup = new ArrayList<>();
            try (InputStream in = FrameworkRpcs.class.getResourceAsStream("spdk-v23.09-methods.txt");
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    if (line.startsWith("startup ")) {
                        line = line.substring("startup ".length());
                        startup.add(line);
                    }
                    all.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new MethodList(Collections.unmodifiableList(all), Collections.unmodifiableList(startup));
        }
    }

    private final TargetState t;
    private final MethodList methods;
    private final NvmfRpcs nvmf;
    private final Runnable onKill;

    FrameworkRpcs(TargetState state, MethodList methods, NvmfRpcs nvmf, Runnable onKill) {
        this.t = state;
        this.methods = methods;
        this.nvmf = nvmf;
        this.onKill = onKill;
    }

    static JsonNode noParams(String method, JsonNode params, JsonNode result) throws RpcError {
        if (params != null && !params.isNull() && !params.isMissingNode()) {
            throw new RpcError(RpcError.INVALID_PARAMS, method + " method requires no parameters");
        }
        return result;
    }

    void register(Map<String, RpcHandler> m) {
        m.put("spdk_get_version", p -> noParams("spdk_get_version", p, version()));
        m.put("rpc_get_methods", this::rpcGetMethods);
        m.put("framework_wait_init", p -> noParams("framework_wait_init", p, Json.ok()));
        m.put("spdk_kill_instance", this::kill);
        m.put("framework_get_config", this::getConfig);
        for (String startup : methods.startupOnly()) {
            m.put(startup, p -> {
                throw new RpcError(-1, "Method may only be called before framework is initialized. "
                        + "Use --wait-for-rpc command line parameter and then issue this RPC before the "
                        + "framework_start_init RPC.");
            });
        }
    }

    private static JsonNode version() {
        ObjectNode v = Json.object();
        v.put("version", "SPDK v23.09");
        ObjectNode f = v.putObject("fields");
        f.put("major", 23);
        f.put("minor", 9);
        f.put("patch", 0);
        f.put("suffix", "");
        return v;
    }

    private JsonNode rpcGetMethods(JsonNode params) throws RpcError {
        Params p = Params.of(params, RpcError.invalidParams(), "current", "include_aliases");
        boolean current = p.optionalBool("current", false);
        p.optionalBool("include_aliases", false);
        var out = Json.array();
        for (String m : methods.all()) {
            if (!current || !methods.startupOnly().contains(m)) {
                out.add(m);
            }
        }
        return out;
    }

    private JsonNode kill(JsonNode params) throws RpcError {
        Params p = Params.of(params, RpcError.invalidParams(), "sig_name");
        String sig = p.requiredString("sig_name");
        if (!List.of("SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP", "SIGKILL").contains(sig)) {
            throw RpcError.invalidParams();
        }
        onKill.run();
        return Json.ok();
    }

    private JsonNode getConfig(JsonNode params) throws RpcError {
        Params p = Params.of(params, RpcError.invalidParams(), "name");
        return switch (p.requiredString("name")) {
            case "bdev" -> bdevConfig();
            case "nvmf" -> nvmf.config();
            case "accel", "iobuf", "sock", "vmd", "scheduler", "iscsi", "nbd", "scsi", "keyring" -> Json.array();
            default -> throw RpcError.invalidParams();
        };
    }

    private JsonNode bdevConfig() {
        var out = Json.array();
        ObjectNode so = out.addObject().put("method", "bdev_set_options").putObject("params");
        so.put("bdev_io_pool_size", 65535);
        so.put("bdev_io_cache_size", 256);
        so.put("bdev_auto_examine", true);
        ObjectNode nv = out.addObject().put("method", "bdev_nvme_set_options").putObject("params");
        nv.put("action_on_timeout", "none");
        nv.put("timeout_us", 0);
        nv.put("timeout_admin_us", 0);
        nv.put("keep_alive_timeout_ms", 10000);
        nv.put("transport_retry_count", 4);
        nv.put("arbitration_burst", 0);
        nv.put("low_priority_weight", 0);
        nv.put("medium_priority_weight", 0);
        nv.put("high_priority_weight", 0);
        nv.put("nvme_adminq_poll_period_us", 10000);
        nv.put("nvme_ioq_poll_period_us", 0);
        // SPDK fills in its default queue size when the first controller is created.
        nv.put("io_queue_requests", t.nvmeUsed ? 512 : 0);
        nv.put("delay_cmd_submit", true);
        nv.put("bdev_retry_count", 3);
        nv.put("transport_ack_timeout", 0);
        nv.put("ctrlr_loss_timeout_sec", 0);
        nv.put("reconnect_delay_sec", 0);
        nv.put("fast_io_fail_timeout_sec", 0);
        nv.put("generate_uuids", false);
        nv.put("transport_tos", 0);
        nv.put("io_path_stat", false);
        nv.put("allow_accel_sequence", false);
        for (NvmeController c : t.controllers.values()) {
            out.addObject().put("method", "bdev_nvme_attach_controller").set("params", c.attachParams.deepCopy());
        }
        ObjectNode hp = out.addObject().put("method", "bdev_nvme_set_hotplug").putObject("params");
        hp.put("period_us", 100000);
        hp.put("enable", false);
        for (Bdev b : t.bdevs.values()) {
            ObjectNode c = b.configEntry.get();
            if (c != null) {
                String method = b.kind == Bdev.Kind.AIO ? "bdev_aio_create" : "bdev_malloc_create";
                out.addObject().put("method", method).set("params", c);
            }
        }
        for (Raid r : t.raids.values()) {
            ObjectNode c = out.addObject().put("method", "bdev_raid_create").putObject("params");
            c.put("name", r.name);
            c.put("strip_size_kb", r.stripSizeKb);
            c.put("raid_level", r.level);
            var members = c.putArray("base_bdevs");
            r.slotNames.forEach(members::add);
        }
        for (Bdev b : t.bdevs.values()) {
            if (b.qos[0] + b.qos[1] + b.qos[2] + b.qos[3] > 0) {
                ObjectNode q = out.addObject().put("method", "bdev_set_qos_limit").putObject("params");
                q.put("name", b.name);
                q.put("rw_ios_per_sec", b.qos[0]);
                q.put("rw_mbytes_per_sec", b.qos[1]);
                q.put("r_mbytes_per_sec", b.qos[2]);
                q.put("w_mbytes_per_sec", b.qos[3]);
            }
        }
        out.addObject().put("method", "bdev_wait_for_examine");
        return out;
    }
}
