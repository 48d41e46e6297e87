package io.vda.agent.spdk;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Typed SPDK v23.09 JSON-RPC calls the node agent makes, with SPDK's own method and parameter names.
 * Errors surface as {@link SpdkRpcException} (with a {@link SpdkErrorReason}) or {@link SpdkTransportException}.
 */
public final class SpdkClient implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final SpdkConnection connection;

    public SpdkClient(SpdkConnection connection) {
        this.connection = connection;
    }

    public static SpdkClient connect(Path socketPath, Duration timeout) {
        return new SpdkClient(new SpdkConnection(socketPath, timeout, MAPPER));
    }

    public SpdkConnection connection() {
        return connection;
    }

    // ---- generic ----

    /** Any method; for calls this class has no typed method for (and the emulator's vda_emulator_* ones). */
    public JsonNode call(String method, Object params) {
        return connection.call(method, params == null ? null : MAPPER.valueToTree(params));
    }

    /** Pipelined form: send without waiting for earlier answers. */
    public CompletableFuture<JsonNode> callAsync(String method, Object params) {
        return connection.callAsync(method, params == null ? null : MAPPER.valueToTree(params));
    }

    private <T> T call(String method, ObjectNode params, Class<T> type) {
        return MAPPER.convertValue(connection.call(method, params), type);
    }

    private <T> List<T> callList(String method, ObjectNode params, Class<T> element) {
        JsonNode r = connection.call(method, params);
        return MAPPER.convertValue(r, MAPPER.getTypeFactory().constructCollectionType(List.class, element));
    }

    private static ObjectNode params() {
        return MAPPER.createObjectNode();
    }

    private static <T> Optional<T> unlessNotFound(java.util.function.Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (SpdkRpcException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // ---- framework ----

    public SpdkVersion getVersion() {
        return call("spdk_get_version", null, SpdkVersion.class);
    }

    public List<String> getMethods(boolean currentStateOnly) {
        return callList("rpc_get_methods", currentStateOnly ? params().put("current", true) : null, String.class);
    }

    // ---- bdevs ----

    public List<Bdev> getBdevs() {
        return callList("bdev_get_bdevs", null, Bdev.class);
    }

    /** By name or alias (an lvol's "lvs/lvol"); empty when SPDK says -19. */
    public Optional<Bdev> getBdev(String nameOrAlias) {
        return unlessNotFound(() -> callList("bdev_get_bdevs", params().put("name", nameOrAlias), Bdev.class)
                .stream().findFirst().orElse(null));
    }

    public String createMallocBdev(String name, long numBlocks, int blockSize) {
        ObjectNode p = params().put("name", name).put("num_blocks", numBlocks).put("block_size", blockSize);
        return call("bdev_malloc_create", p, String.class);
    }

    public void deleteMallocBdev(String name) {
        connection.call("bdev_malloc_delete", params().put("name", name));
    }

    public String createAioBdev(String name, String filename, int blockSize) {
        ObjectNode p = params().put("name", name).put("filename", filename).put("block_size", blockSize);
        return call("bdev_aio_create", p, String.class);
    }

    public void deleteAioBdev(String name) {
        connection.call("bdev_aio_delete", params().put("name", name));
    }

    public void setQosLimit(String bdevName, QosLimits limits) {
        ObjectNode p = params().put("name", bdevName).put("rw_ios_per_sec", limits.rwIosPerSec())
                .put("rw_mbytes_per_sec", limits.rwMbytesPerSec()).put("r_mbytes_per_sec", limits.rMbytesPerSec())
                .put("w_mbytes_per_sec", limits.wMbytesPerSec());
        connection.call("bdev_set_qos_limit", p);
    }

    /** All bdevs when {@code bdevName} is null. */
    public BdevIoStat getIoStat(String bdevName) {
        return call("bdev_get_iostat", bdevName == null ? null : params().put("name", bdevName), BdevIoStat.class);
    }

    public void waitForExamine() {
        connection.call("bdev_wait_for_examine", null);
    }

    /** Only when bdev_auto_examine is off; SPDK answers -22 otherwise. */
    public void examine(String bdevName) {
        connection.call("bdev_examine", params().put("name", bdevName));
    }

    // ---- NVMe-oF host side ----

    /** @return the namespace bdevs created, e.g. ["vd0n1"] */
    public List<String> attachController(AttachControllerRequest r) {
        ObjectNode p = params().put("name", r.name()).put("trtype", r.address().trtype())
                .put("adrfam", r.address().adrfam()).put("traddr", r.address().traddr())
                .put("trsvcid", r.address().trsvcid()).put("subnqn", r.subnqn()).put("hostnqn", r.hostnqn());
        return callList("bdev_nvme_attach_controller", p, String.class);
    }

    public void detachController(String name) {
        connection.call("bdev_nvme_detach_controller", params().put("name", name));
    }

    public List<NvmeController> getControllers() {
        return callList("bdev_nvme_get_controllers", null, NvmeController.class);
    }

    public Optional<NvmeController> getController(String name) {
        return unlessNotFound(() -> callList("bdev_nvme_get_controllers", params().put("name", name),
                NvmeController.class).stream().findFirst().orElse(null));
    }

    // ---- lvol stores and lvols ----

    /** @return the lvstore uuid; clearMethod "none" makes creation instant. */
    public String createLvstore(String bdevName, String lvsName, long clusterSizeBytes, String clearMethod) {
        ObjectNode p = params().put("bdev_name", bdevName).put("lvs_name", lvsName)
                .put("cluster_sz", clusterSizeBytes).put("clear_method", clearMethod);
        return call("bdev_lvol_create_lvstore", p, String.class);
    }

    public void deleteLvstore(String lvsName) {
        connection.call("bdev_lvol_delete_lvstore", params().put("lvs_name", lvsName));
    }

    public List<Lvstore> getLvstores() {
        return callList("bdev_lvol_get_lvstores", null, Lvstore.class);
    }

    public Optional<Lvstore> getLvstore(String lvsName) {
        return unlessNotFound(() -> callList("bdev_lvol_get_lvstores", params().put("lvs_name", lvsName),
                Lvstore.class).stream().findFirst().orElse(null));
    }

    /** @return the lvol's uuid, which is also its bdev name; "lvsName/lvolName" is its alias. */
    public String createLvol(String lvsName, String lvolName, long sizeInMib, boolean thinProvision) {
        ObjectNode p = params().put("lvs_name", lvsName).put("lvol_name", lvolName).put("size_in_mib", sizeInMib)
                .put("thin_provision", thinProvision);
        return call("bdev_lvol_create", p, String.class);
    }

    public void deleteLvol(String nameOrAlias) {
        connection.call("bdev_lvol_delete", params().put("name", nameOrAlias));
    }

    public void resizeLvol(String nameOrAlias, long sizeInMib) {
        connection.call("bdev_lvol_resize", params().put("name", nameOrAlias).put("size_in_mib", sizeInMib));
    }

    /** @return the snapshot's uuid */
    public String snapshotLvol(String lvolName, String snapshotName) {
        return call("bdev_lvol_snapshot", params().put("lvol_name", lvolName).put("snapshot_name", snapshotName),
                String.class);
    }

    /** @return the clone's uuid */
    public String cloneLvol(String snapshotName, String cloneName) {
        return call("bdev_lvol_clone", params().put("snapshot_name", snapshotName).put("clone_name", cloneName),
                String.class);
    }

    public List<Lvol> getLvols() {
        return callList("bdev_lvol_get_lvols", null, Lvol.class);
    }

    public List<Lvol> getLvols(String lvsName) {
        return callList("bdev_lvol_get_lvols", params().put("lvs_name", lvsName), Lvol.class);
    }

    /**
     * Emulator extension ({@code vda_emulator_lvol_set_xattr}): SPDK v23.09 has no xattr RPC and answers
     * METHOD_NOT_FOUND. The value is kept in the lvstore's on-disk metadata.
     */
    public void setLvolXattr(String nameOrAlias, String xattrName, String value) {
        connection.call("vda_emulator_lvol_set_xattr", params().put("name", nameOrAlias)
                .put("xattr_name", xattrName).put("xattr_value", value));
    }

    /** Emulator extension, see {@link #setLvolXattr}; empty when the lvol has no such xattr. */
    public Optional<String> getLvolXattr(String nameOrAlias, String xattrName) {
        try {
            return Optional.of(connection.call("vda_emulator_lvol_get_xattr", params().put("name", nameOrAlias)
                    .put("xattr_name", xattrName)).asText());
        } catch (SpdkRpcException e) {
            if (e.code() == -61) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // ---- raid ----

    public void createRaid(String name, RaidLevel level, long stripSizeKb, List<String> baseBdevs) {
        ObjectNode p = params().put("name", name).put("raid_level", level.wire()).put("strip_size_kb", stripSizeKb);
        baseBdevs.forEach(p.putArray("base_bdevs")::add);
        connection.call("bdev_raid_create", p);
    }

    public void deleteRaid(String name) {
        connection.call("bdev_raid_delete", params().put("name", name));
    }

    /** category: all, online, configuring or offline. */
    public List<RaidBdev> getRaids(String category) {
        return callList("bdev_raid_get_bdevs", params().put("category", category), RaidBdev.class);
    }

    // ---- NVMe-oF target side ----

    public void createTransport(String trtype) {
        connection.call("nvmf_create_transport", params().put("trtype", trtype));
    }

    public List<NvmfTransport> getTransports() {
        return callList("nvmf_get_transports", null, NvmfTransport.class);
    }

    /**
     * SPDK answers a duplicate and an invalid NQN alike (-32603 "Unable to create subsystem"); this looks the
     * NQN up to tell ALREADY_EXISTS from INVALID_PARAMS.
     */
    public void createSubsystem(SubsystemSpec s) {
        ObjectNode p = params().put("nqn", s.nqn()).put("allow_any_host", s.allowAnyHost());
        if (s.serialNumber() != null) {
            p.put("serial_number", s.serialNumber());
        }
        if (s.modelNumber() != null) {
            p.put("model_number", s.modelNumber());
        }
        if (s.maxNamespaces() != null) {
            p.put("max_namespaces", s.maxNamespaces());
        }
        if (s.anaReporting()) {
            p.put("ana_reporting", true);
        }
        try {
            connection.call("nvmf_create_subsystem", p);
        } catch (SpdkRpcException e) {
            if (e.code() == -32603 && e.spdkMessage().startsWith("Unable to create subsystem")) {
                throw e.withReason(getSubsystem(s.nqn()).isPresent() ? SpdkErrorReason.ALREADY_EXISTS
                        : SpdkErrorReason.INVALID_PARAMS);
            }
            throw e;
        }
    }

    public void deleteSubsystem(String nqn) {
        connection.call("nvmf_delete_subsystem", params().put("nqn", nqn));
    }

    /** Includes the discovery subsystem, as SPDK lists it. */
    public List<NvmfSubsystem> getSubsystems() {
        return callList("nvmf_get_subsystems", null, NvmfSubsystem.class);
    }

    public Optional<NvmfSubsystem> getSubsystem(String nqn) {
        return unlessNotFound(() -> callList("nvmf_get_subsystems", params().put("nqn", nqn), NvmfSubsystem.class)
                .stream().findFirst().orElse(null));
    }

    /** @return the namespace id */
    public int addNamespace(String nqn, NamespaceSpec ns) {
        ObjectNode p = params().put("nqn", nqn);
        ObjectNode n = p.putObject("namespace").put("bdev_name", ns.bdevName());
        if (ns.nsid() != null) {
            n.put("nsid", ns.nsid());
        }
        if (ns.uuid() != null) {
            n.put("uuid", ns.uuid());
        }
        if (ns.nguid() != null) {
            n.put("nguid", ns.nguid());
        }
        return connection.call("nvmf_subsystem_add_ns", p).asInt();
    }

    public void removeNamespace(String nqn, int nsid) {
        connection.call("nvmf_subsystem_remove_ns", params().put("nqn", nqn).put("nsid", nsid));
    }

    /** Adding the same listener twice succeeds on SPDK. */
    public void addListener(String nqn, ListenAddress address) {
        ObjectNode p = params().put("nqn", nqn);
        p.set("listen_address", MAPPER.valueToTree(address));
        connection.call("nvmf_subsystem_add_listener", p);
    }

    public void removeListener(String nqn, ListenAddress address) {
        ObjectNode p = params().put("nqn", nqn);
        p.set("listen_address", MAPPER.valueToTree(address));
        connection.call("nvmf_subsystem_remove_listener", p);
    }

    /** Adding the same host twice succeeds on SPDK. */
    public void addHost(String nqn, String hostNqn) {
        connection.call("nvmf_subsystem_add_host", params().put("nqn", nqn).put("host", hostNqn));
    }

    /** Disconnects that host's controllers: the fence of the data path. */
    public void removeHost(String nqn, String hostNqn) {
        connection.call("nvmf_subsystem_remove_host", params().put("nqn", nqn).put("host", hostNqn));
    }

    /** v23.09's name is nvmf_subsystem_listener_set_ana_state; the subsystem needs ana_reporting. */
    public void setAnaState(String nqn, ListenAddress address, AnaState state) {
        ObjectNode p = params().put("nqn", nqn).put("ana_state", state.wire());
        p.set("listen_address", MAPPER.valueToTree(address));
        connection.call("nvmf_subsystem_listener_set_ana_state", p);
    }

    @Override
    public void close() {
        connection.close();
    }
}
